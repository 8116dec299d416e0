# SPDX-License-Identifier: Apache-2.0
# Sourced by scripts/bandaid and by the .deb's /usr/bin/bandaid (installed as
# /usr/lib/bandaid/launch.sh): starts bandaid's JVM the way the signal forwarding needs (see
# SignalQueue.java): the forwarded signals blocked in every JVM thread from the start, and -Xrs
# so that the JVM does not take them back.

# bandaid_java_flags JAVA: sets the array bandaid_flags to the JVM options bandaid runs with on
# JAVA, a runtime >= 22 (only options that runtime knows; its feature version is $java_feature
# when scripts/lib/java.sh found it, else read from its release file). scripts/bench starts its
# floor program with the same. Their measured effect: BENCHMARKS.md, "The JVM's options".
bandaid_java_flags() {
  local feature=${java_feature:-} line home=${1%/bin/java}
  if [[ -z "$feature" ]]; then
    # HOME/bin/java has HOME/release (the .deb's runtime); resolve a symlinked java only otherwise.
    [[ -f "$home/release" ]] || { home=$(readlink -f "$1"); home=${home%/bin/*}; }
    if [[ -f "$home/release" ]]; then
      while IFS= read -r line; do
        if [[ "$line" == JAVA_VERSION=* ]]; then line=${line#JAVA_VERSION=\"}; feature=${line%%[!0-9]*}; break; fi
      done < "$home/release"
    fi
  fi
  # -Xrs: the JVM installs no handlers for HUP, INT, QUIT and TERM and keeps them blocked, so the
  #   signalfd receives them (SignalQueue.java).
  # -XX:+DisableAttachMechanism: the attach socket /tmp/.java_pid<pid> (which -Xrs makes HotSpot
  #   open at start) would let any process of the same user, the wrapped program included, load an
  #   agent into bandaid, outside the program's seccomp filter and no_new_privs (AttachIT).
  # -XX:-UsePerfData: no /tmp/hsperfdata_<user>/<pid>, which a bandaid ending by raise() (the
  #   program's signal) would leave behind (AttachIT).
  # -XX:TieredStopAtLevel=1 -XX:+UseSerialGC: bandaid is a small, mostly idle process; C1 only and
  #   the serial collector start faster and keep its memory small.
  # -Xss512k: bandaid's threads run shallow code (the reader, the signal and reaper threads); half
  #   the default stack keeps their reserved memory small.
  # -Xms8m -Xmx64m: bandaid keeps a few MB alive; sized by the machine instead (1/64 of its memory
  #   to start), the young generation it allocates through between collections stays resident:
  #   75 MB RSS instead of 57 on a 24 GB machine.
  # -Xmn512k: of those, a young generation of 512 KB instead of ~2.7 MB: what bandaid allocates per
  #   trapped call dies young, and the eden it cycles through stays resident: RSS 40.9 -> 40.5 MB
  #   with 1 MB (3 pairs), 41.5 -> 41.1 MB with 512 KB (3 pairs), for a young collection (~0.4 ms)
  #   every ~1,000 trapped calls (21 instead of 9 in 20,000: +0.24 µs per call, within the warm
  #   trap cost's noise), and 4 instead of 1 on the way to the program's start (4.2 vs 3.4 ms).
  # --finalization=disabled (JEP 421, JDK 18+): nothing bandaid runs has a finalizer (the JDK's own
  #   cleanups use Cleaner), so no Finalizer thread: RSS -0.1 to -0.25 MB (5 pairs, nginx).
  # -XX:Flags=/dev/null -XX:CompileCommandFile=/dev/null: HotSpot looks for .hotspotrc and
  #   .hotspot_compiler in the working directory, which is the program's (a Java server's own files),
  #   and warns on stderr at every start that it ignored them; named files of no content it reads
  #   quietly (start within the noise: cpu 1.01, 20 pairs).
  # -XX:-MaxFDLimit: HotSpot raises the soft RLIMIT_NOFILE to the hard one at start, and the program
  #   would inherit that (in both modes): systemd keeps the soft limit at 1024 for programs that
  #   still use select(2) (LimitNOFILE=, systemd.exec(5)); the program gets the unit's (RlimitsIT).
  bandaid_flags=(-Xrs -XX:+DisableAttachMechanism -XX:-UsePerfData -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
    -Xss512k -Xms8m -Xmx64m -Xmn512k --finalization=disabled -XX:Flags=/dev/null -XX:CompileCommandFile=/dev/null
    -XX:-MaxFDLimit)
  # -XX:UserThreadWaitAttemptsAtExit=0 (a product flag since JDK 24, unknown before): at exit
  #   HotSpot waits up to 300 ms for threads in native code; bandaid's reader sits in NOTIF_RECV and
  #   would hold its exit (and every restart of the unit) that long after the program's: 335 -> 36 ms
  #   from the program's exit to bandaid's (medians of 5 interleaved runs, scripts/bench part 7).
  # -XX:TrimNativeHeapInterval=2000 (a product flag since JDK 23, experimental in 22.0.0): glibc
  #   keeps what C1 frees ~5 s after start (its arenas) until the heap is trimmed; trimming every
  #   2 s gives ~5.5 MB back (private memory 32.7 -> 27.0 MB) for one short wake-up per 2 s.
  [[ "$feature" =~ ^[0-9]+$ ]] || feature=22
  if (( feature >= 23 )); then bandaid_flags+=(-XX:TrimNativeHeapInterval=2000); fi
  if (( feature >= 24 )); then bandaid_flags+=(-XX:UserThreadWaitAttemptsAtExit=0); fi
}

# bandaid_arguments_heap ARGS...: when ARGS are large, appends to bandaid_flags a heap that holds
# them while the JVM starts. The java launcher hands the JVM its whole command line as the
# property sun.java.command, which the JVM decodes into a Java string before it may collect
# garbage: ~4 bytes of heap per byte (bytes that are not UTF-8 are decoded into UTF-16 through a
# Latin-1 attempt). In -Xmn512k's young generation that fails from ~72 KB of arguments ("GC
# triggered before VM initialization completed", status 1) and, depending on where the
# allocations fall, again at 1-2 MB. So above 16 KB the young generation is 8 bytes per byte of
# arguments plus 1 MB (held at 1-6 MB of arguments, the kernel's limit: LargeArgumentsIT), the
# heap's start that plus the usual old generation, its maximum 16 bytes per byte more than the
# usual 64 MB: the arguments live on in sun.java.command, main()'s String[] and the program's
# command (BENCHMARKS.md, "The JVM's options"). Smaller argument lists start as always.
bandaid_arguments_heap() {
  local LC_ALL=C IFS=' ' all="$*" # C: ${#all} counts bytes
  local kib=$(( (${#all} + 1023) / 1024 )) young start max
  (( kib > 16 )) || return 0
  young=$(( 8 * kib + 1024 )) start=$(( 8 * kib + 1024 + 7680 )) max=$(( 16 * kib + 65536 ))
  bandaid_flags+=(-Xmn${young}k -Xms${start}k -Xmx${max}k)
  bandaid_argfile= # it holds the usual options
}

# carry_environment: sets the array jvm_environment to the environment this process was given,
# for bandaid's JVM, with each entry that the JVM, its java launcher or the dynamic linker would
# act on, or that env(1) could not pass as it is, written BANDAID_CARRIED_<position>=<entry>;
# bandaid puts those back, byte for byte and in their place, into the program's environment
# (supervisor/Environment.java).
#   Carried: JAVA_TOOL_OPTIONS, _JAVA_OPTIONS (HotSpot), JDK_JAVA_OPTIONS, _JAVA_LAUNCHER_DEBUG
#   (the java launcher; the latter prints to stdout, the program's), JDK_AOT_VM_OPTIONS (JDK 25)
#   and _JAVA_SR_SIGNUM: a unit's Environment= meant for a wrapped Java server would otherwise open
#   a debug port in bandaid, re-open its attach socket (-XX:-DisableAttachMechanism) or stop it from
#   starting. LD_* (ld.so(8): LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT, LD_DEBUG...), meant for the
#   program as well. The variables the launchers set for bandaid (BANDAID_LAUNCHER,
#   BANDAID_CLOSED_FD, BANDAID_SET_SR_SIGNUM) and BANDAID_CARRIED_* itself, so that a value of the
#   same name comes back as given. A second entry of a name (env(1) would replace the first), one
#   without "=" or with an empty name (env(1) would take it for the command).
# Read from /proc/self/environ, the block exec(2) passed: bash's own variables have already been
# changed (PWD and SHLVL set, OLDPWD dropped when not a directory, a second entry of a name
# dropped), and the JVM would pass them on so. Only without /proc, bash's exported variables.
carry_environment() {
  local entry name i=0
  local -a given=()
  local -A seen=()
  if ! mapfile -d '' given 2>/dev/null < /proc/self/environ; then
    for name in $(compgen -e); do given+=("$name=${!name}"); done
  fi
  jvm_environment=()
  for entry in "${given[@]}"; do
    case $entry in
      JAVA_TOOL_OPTIONS=* | _JAVA_OPTIONS=* | JDK_JAVA_OPTIONS=* | _JAVA_LAUNCHER_DEBUG=* | JDK_AOT_VM_OPTIONS=* \
        | _JAVA_SR_SIGNUM=* | LD_* | BANDAID_LAUNCHER=* | BANDAID_CLOSED_FD=* | BANDAID_SET_SR_SIGNUM=* \
        | BANDAID_CARRIED_* | =*)
        jvm_environment+=("BANDAID_CARRIED_$i=$entry") ;;
      *=*)
        name=${entry%%=*}
        if [[ -n "${seen[=$name]+x}" ]]; then
          jvm_environment+=("BANDAID_CARRIED_$i=$entry")
        else
          seen[=$name]=
          jvm_environment+=("$entry")
        fi ;;
      *)
        jvm_environment+=("BANDAID_CARRIED_$i=$entry") ;;
    esac
    (( ++i ))
  done
}

# argfile_holds FILE WORDS...: whether FILE is a java @argfile of exactly WORDS; written there
# (renamed into place: a JVM starting meanwhile reads the old file or the new) when it is not and
# its directory may be written, which happens once per JDK, jar and AOT cache. The java launcher's
# syntax (java(1), "java Command-Line Argument Files"): each word in double quotes, within which a
# backslash escapes; a newline or carriage return would end the word even there.
argfile_holds() {
  local file=$1 content old= IFS=' '
  shift
  local words=("$@") all="$*"
  if [[ "$all" == *[\\\"$'\n\r']* ]]; then # rare: escape
    words=("${words[@]//\\/\\\\}")
    words=("${words[@]//\"/\\\"}")
    words=("${words[@]//$'\n'/\\n}")
    words=("${words[@]//$'\r'/\\r}")
  fi
  printf -v content '"%s"\n' "${words[@]}"
  if [[ -f "$file" && -r "$file" ]]; then IFS= read -r -d '' old < "$file" || true; fi
  [[ "$old" != "$content" ]] || return 0
  [[ -w "${file%/*}" ]] || return 1
  if printf '%s' "$content" 2>/dev/null > "$file.$$" && mv -f "$file.$$" "$file" 2>/dev/null; then return 0; fi
  rm -f "$file.$$" 2>/dev/null
  return 1
}

# launch_bandaid JAVA JAR LAUNCHER [ARGS...]: execs JAVA on JAR with ARGS. LAUNCHER is the absolute
# path of the calling script (for `bandaid unit`'s ExecStart=). JVM options of the caller's own
# (an AOT cache) go in the array bandaid_jvm_options, before BANDAID_JAVA_OPTIONS, which adds JVM
# options of your own (word-split); the program does not see the variable. (An AOT cache or CDS
# archive is only used by a JVM started with the options it was made with: these.) When the
# caller sets bandaid_exec, a symlink named bandaid to JAVA, that is what is exec'd: the kernel
# names the process after the file exec'd (its comm, which ps, pidof and `systemctl status`
# show), and argv[0] is its path, so the process shows as bandaid, not java. When it sets
# bandaid_argfile, the JVM's options and jar come from that file (argfile_holds), so that ps and
# `systemctl status` show `bandaid @FILE [--] PROGRAM ARGS...`; not with BANDAID_JAVA_OPTIONS,
# which would have to follow the file's options, nor with the heap of large arguments.
launch_bandaid() {
  local java=$1 jar=$2 launcher=$3 fd closed=()
  shift 3

  # The JVM opens files of its own as soon as it starts, at the lowest free fd numbers: an fd that
  # LISTEN_FDS claims but nobody passed would be taken by one of them before bandaid can look.
  # So look here, and tell bandaid the first such fd.
  # The loop stops at the first fd not open, so it runs at most once per open fd; a LISTEN_FDS of
  # more than 7 digits is refused by bandaid itself (more fds than a process can have).
  if [[ "${LISTEN_FDS:-}" =~ ^[0-9]{1,7}$ ]]; then
    for (( fd = 3; fd < 3 + LISTEN_FDS; fd++ )); do
      if [[ ! -e /proc/self/fd/$fd ]]; then closed=("BANDAID_CLOSED_FD=$fd"); break; fi
    done
  fi

  bandaid_java_flags "$java"
  bandaid_arguments_heap "$@"
  carry_environment
  # exec -c: env(1) gets no environment of bash's; the JVM gets jvm_environment, then the
  # launchers' own variables. HotSpot suspends threads with SIGUSR2 unless told otherwise
  # (_JAVA_SR_SIGNUM): a real-time signal instead, so that SIGUSR2 can be forwarded too. bandaid
  # removes the variables it was given here from the program's environment.
  # shellcheck disable=SC2206
  local jvm=("${bandaid_flags[@]}" ${bandaid_jvm_options[@]+"${bandaid_jvm_options[@]}"} ${BANDAID_JAVA_OPTIONS:-} -jar "$jar")
  if [[ -n "${bandaid_argfile:-}" && -z "${BANDAID_JAVA_OPTIONS:-}" ]] && argfile_holds "$bandaid_argfile" "${jvm[@]}"; then
    jvm=("@$bandaid_argfile")
  fi
  local command=(env --block-signal=HUP,INT,QUIT,TERM,USR1,USR2,WINCH --
    "${jvm_environment[@]}" BANDAID_LAUNCHER="$launcher" _JAVA_SR_SIGNUM=39 BANDAID_SET_SR_SIGNUM=1
    ${closed[@]+"${closed[@]}"}
    "${bandaid_exec:-$java}" "${jvm[@]}" "$@")
  exec_fits "${command[@]}"
  exec -c "${command[@]}"
}

# exec_fits COMMAND...: exits 71 with one line when COMMAND's exec(2) would fail with E2BIG: the
# program's arguments and environment fit under the kernel's limit for the launcher's exec, but
# not with bandaid's JVM options and variables (~1 KB). execve(2): the strings and their pointers
# may take a quarter of the stack's soft limit (ulimit -s), at most 6 MB, at least 32 pages; only
# above those 128 KB is the limit asked for (a subshell, milliseconds).
exec_fits() {
  local LC_ALL=C IFS=' ' all="$*" soft limit=6291456 size
  # The strings with their NULs, env(1)'s path as exec'd (64: room to spare), a pointer each.
  size=$(( ${#all} + 1 + 64 + 8 * ($# + 1) ))
  (( size > 131072 )) || return 0
  soft=$(ulimit -S -s)
  if [[ "$soft" != unlimited ]] && (( soft * 1024 / 4 < limit )); then limit=$(( soft * 1024 / 4 )); fi
  (( size > limit )) || return 0
  echo "bandaid: the program's arguments and environment leave no room for bandaid's own JVM options:" \
    "with them, exec(2) would need $size bytes, over the kernel's limit of $limit (a quarter of ulimit -s, at most 6 MB)" >&2
  exit 71
}
