#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Runs inside scripts/kernels's virtual machines, as root from /opt/bandaid (this checkout,
# read-only), started by the machine's bandaid-vm.service, which powers it off when this ends:
# asks the kernel what it offers (kernel-features.py), then runs the end-to-end tests named in
# /run/bandaid-vm/tests with JUnit's console launcher. Writes what it finds into /run/bandaid-vm
# (the host's target/kernels/SUITE): status ("started", then "exit N"), features, junit.log,
# reports/.
set -uo pipefail
out=/run/bandaid-vm
lib=/run/bandaid-lib
echo started > "$out/status"

/usr/bin/python3 src/test/resources/kernel-features.py > "$out/features" 2>&1

# selected FILE: the console launcher's selectors for the tests named in FILE, one a line.
selected() {
  local test
  while IFS= read -r test; do
    [[ -n "$test" ]] || continue
    if [[ "$test" == *'#'* ]]; then printf '%s\0%s\0' --select-method "$test"; else printf '%s\0%s\0' --select-class "$test"; fi
  done < "$1"
}
classpath=target/test-classes:target/classes
for jar in "$lib"/*.jar; do
  [[ "$jar" == */junit-platform-console-standalone-* ]] || classpath+=":$jar"
done

# The test JVM as small as bandaid's own: the emulated CPU makes C2 compiles and a large heap's
# page faults expensive. -XX:UseAVX=0 for every JVM here (BANDAID_JAVA_OPTIONS comes from the
# kernel command line): an emulator fault, not the kernel's. systemd is this machine's PID 1
# (bandaid.test.systemd=pid1, Container.java); waits are tripled (Timeouts.java), and a test
# that still hangs fails after 5 minutes instead of holding up the rest.
# run_tests LIST NAME [JVM OPTION...]: the tests named in $out/LIST, reported as NAME.
run_tests() {
  local list=$1 name=$2 select=()
  shift 2
  mapfile -d '' select < <(selected "$out/$list")
  (( ${#select[@]} )) || return 0
  "$JAVA_HOME/bin/java" -XX:UseAVX=0 -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx384m -XX:-UsePerfData \
    --enable-native-access=ALL-UNNAMED -Dbandaid.test.systemd=pid1 -Dbandaid.test.timeScale=3 "$@" \
    -jar "$lib"/junit-platform-console-standalone-*.jar execute \
    --disable-banner --disable-ansi-colors --details=tree --class-path "$classpath" "${select[@]}" \
    --config=junit.jupiter.execution.timeout.default='5 m' \
    --config=junit.jupiter.execution.timeout.thread.mode.default=SEPARATE_THREAD \
    --reports-dir="$out/reports$name" > "$out/junit$name.log" 2>&1
}
run_tests tests ""
wrapper=$?
# Some again in broker mode (scripts/kernels's broker_tests): one broker answers them all.
run_tests broker-tests -broker -Dbandaid.e2e.mode=broker
broker=$?
echo "exit $(( wrapper ? wrapper : broker ))" >> "$out/status"
