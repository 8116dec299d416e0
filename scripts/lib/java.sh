# SPDX-License-Identifier: Apache-2.0
# Sourced by scripts/*: finds a Java runtime >= 22 (FFM, java.lang.foreign, is final in 22).
# Looks at $JAVA_HOME, then PATH, then /usr/lib/jvm/*; sets $java, $java_home, $java_feature and
# $java_runtime (the runtime's full version from its release file, empty if it has none), or says
# in one line what is missing and exits 69 (EX_UNAVAILABLE, as bandaid does when something it needs is missing).

# release_field FILE NAME: the value of NAME="..." in a runtime's release file, or nothing.
# Bash builtins only, like the rest of the search: on a busy machine each program started
# (sed, dirname) costs milliseconds, and this runs on every activation.
release_field() {
  local line
  [[ -f "$1" ]] || return 0
  while IFS= read -r line; do
    if [[ "$line" == "$2="* ]]; then line=${line#"$2="}; line=${line#\"}; echo "${line%\"}"; return 0; fi
  done < "$1"
}

java_feature_version() { # the feature version of the java binary $1, or nothing
  # The runtime's release file (JAVA_VERSION="25.0.3") says it without starting a JVM: each start
  # costs 0.1 s or more, paid on every activation, several times when older JDKs come first.
  local real v
  real=$(readlink -f "$1")
  v=$(release_field "${real%/bin/*}/release" JAVA_VERSION)
  v=${v#1.} # "1.8.0_402": before JDK 9 the feature came second
  v=${v%%[!0-9]*}
  if [[ -n "$v" ]]; then echo "$v"; return; fi
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}

find_java() {
  local candidates=() c v dir
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  # BANDAID_JVM_ROOT stands in for /usr/lib/jvm in tests of this search.
  for dir in "${BANDAID_JVM_ROOT:-/usr/lib/jvm}"/*/; do candidates+=("${dir}bin/java"); done
  for c in "${candidates[@]}"; do
    [[ -x "$c" ]] || continue
    v=$(java_feature_version "$c")
    if [[ -n "$v" && "$v" -ge 22 ]]; then echo "$c"; return 0; fi
  done
  return 1
}

if ! java=$(find_java); then
  # Debian 12 has no Java >= 22 of its own (openjdk-17 only); Debian 13 and Ubuntu 24.04 have 25.
  echo "bandaid: needs a Java runtime >= 22 (none in \$JAVA_HOME, PATH or /usr/lib/jvm): on Debian 13 or Ubuntu 24.04, apt-get install openjdk-25-jdk-headless; on Debian 12, temurin-25-jdk from Eclipse Temurin's apt repository (https://adoptium.net/installation/linux/); or set JAVA_HOME to one (the .deb needs none)" >&2
  exit 69
fi
java_home=$(readlink -f "$java"); java_home=${java_home%/bin/*}
java_feature=$(java_feature_version "$java")
java_runtime=$(release_field "$java_home/release" JAVA_RUNTIME_VERSION)
