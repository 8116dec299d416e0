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
  # Why each option (with its measured effect: BENCHMARKS.md, "The JVM's options"): -Xrs keeps HUP,
  # INT, QUIT and TERM blocked for the signalfd (SignalQueue.java); no attach socket (the program,
  # same user, could load an agent into bandaid, outside its filter) and no hsperfdata file left by
  # a raise() exit (AttachIT); C1, the serial collector, small stacks, a small fixed heap and young
  # generation, no Finalizer thread: a small, mostly idle process; -XX:Flags and CompileCommandFile
  # of /dev/null: no warning about the program's .hotspotrc in its working directory; -MaxFDLimit:
  # the program keeps the unit's soft RLIMIT_NOFILE (1024 for select(2), systemd.exec(5); RlimitsIT).
  bandaid_flags=(-Xrs -XX:+DisableAttachMechanism -XX:-UsePerfData -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
    -Xss512k -Xms8m -Xmx64m -Xmn512k --finalization=disabled -XX:Flags=/dev/null -XX:CompileCommandFile=/dev/null
    -XX:-MaxFDLimit)
  # -XX:UserThreadWaitAttemptsAtExit=0 (a product flag since JDK 24): at exit HotSpot waits for
  #   threads in native code, and bandaid's reader sits in NOTIF_RECV: bandaid's exit (and every
  #   restart of the unit) would lag the program's.
  # -XX:TrimNativeHeapInterval=2000 (a product flag since JDK 23, experimental in 22.0.0): glibc
  #   keeps the arenas C1 frees after start until the heap is trimmed.
  [[ "$feature" =~ ^[0-9]+$ ]] || feature=22
  if (( feature >= 23 )); then bandaid_flags+=(-XX:TrimNativeHeapInterval=2000); fi
  if (( feature >= 24 )); then bandaid_flags+=(-XX:UserThreadWaitAttemptsAtExit=0); fi
}

# bandaid_arguments_heap ARGS...: when ARGS are over 16 KiB, appends to bandaid_flags a heap that
# holds them while the JVM starts: the java launcher hands the JVM its whole command line as
# sun.java.command, which the JVM decodes into its heap before it may collect garbage, and in
# -Xmn512k's young generation that fails ("GC triggered before VM initialization completed").
# The sizes, and the argument lengths that failed: BENCHMARKS.md, "The JVM's options" (LargeArgumentsIT
# starts programs up to the kernel's limit). Smaller argument lists start as always.
bandaid_arguments_heap() {
  local LC_ALL=C IFS=' ' all="$*" # C: ${#all} counts bytes
  local kib=$(( (${#all} + 1023) / 1024 )) young start max
  (( kib > 16 )) || return 0
  young=$(( 8 * kib + 1024 )) start=$(( 8 * kib + 1024 + 7680 )) max=$(( 16 * kib + 65536 ))
  bandaid_flags+=(-Xmn${young}k -Xms${start}k -Xmx${max}k)
  bandaid_argfile= # it holds the usual options
}

# carry_environment: sets the array jvm_environment to the environment this process was given,
# for bandaid's JVM, with each entry that the JVM, its java launcher or ld.so(8) would act on (a
# wrapped Java server's JAVA_TOOL_OPTIONS would open its debug port in bandaid), a variable of the
# launchers' own (so that one of that name comes back as given), or one env(1) could not pass as it
# is (a repeated name, no "=", an empty name) written BANDAID_CARRIED_<position>=<entry>; bandaid
# puts those back in place (service/Environment.java; README.md, "What bandaid does to the program").
# Read from /proc/self/environ, the block exec(2) passed, since bash has changed its own variables
# (PWD, SHLVL, OLDPWD, a repeated name); only without /proc, bash's exported variables.
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

# launch_bandaid JAVA JAR LAUNCHER [ARGS...]: execs JAVA on JAR with ARGS. LAUNCHER is the calling
# script's absolute path (for `bandaid unit`'s ExecStart=). The caller's JVM options (an AOT cache,
# used only by a JVM started with the options it was made with) go in bandaid_jvm_options, before
# BANDAID_JAVA_OPTIONS (word-split; not the program's). bandaid_exec, a symlink named bandaid to
# JAVA, is exec'd instead: the kernel names the process (comm, argv[0]) after the file exec'd, so
# ps and `systemctl status` show bandaid. bandaid_argfile holds the JVM's options and jar
# (argfile_holds), so they show `bandaid @FILE [--] PROGRAM ARGS...`; not with BANDAID_JAVA_OPTIONS
# (they would have to follow the file's) nor with the heap of large arguments.
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
