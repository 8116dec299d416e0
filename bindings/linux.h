/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Input header for bandaid's generated Panama bindings (package bandaid.bindings).
 * It pulls in the Linux/glibc headers that define the seccomp user-notification,
 * BPF, socket, signal and errno structs and constants bandaid needs; the symbols
 * actually generated are selected in bindings/jextract.args.
 *
 * Regenerate src/main/java/bandaid/bindings with: scripts/jextract
 */
#include <linux/seccomp.h>
#include <linux/filter.h>
#include <linux/audit.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <sys/prctl.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/uio.h>
#include <unistd.h>
#include <errno.h>
#include <poll.h>
#include <linux/limits.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <linux/close_range.h>
#include <linux/capability.h>
#include <linux/net.h>
#include <linux/sockios.h>
