# SPDX-License-Identifier: Apache-2.0
# Sourced by scripts/*: finds a Java runtime >= 22 (FFM, java.lang.foreign, is final in 22).
# Looks at $JAVA_HOME, then PATH, then /usr/lib/jvm/*; sets $java, $java_home, $java_feature and
# $java_runtime (the runtime's full version from its release file, empty if it has none), or says
# in one line what is missing and exits 69 (EX_UNAVAILABLE, as bandaid does when something it needs is missing).

# Bash builtins only, and no command substitution where it can be helped: this runs on every
# activation, and each program or subshell started costs milliseconds here (a readlink -f per
# candidate made the search ~150 ms on a busy 2-core VM; scripts/bench, figure 7).

# release_field FILE NAME: the value of NAME="..." in a runtime's release file, in $field (empty if none).
release_field() {
  local line
  field=
  [[ -f "$1" ]] || return 0
  while IFS= read -r line; do
    if [[ "$line" == "$2="* ]]; then line=${line#"$2="}; line=${line#\"}; field=${line%\"}; return 0; fi
  done < "$1"
}

# runtime_of JAVA: the home ($home) and feature version ($feature, empty if unknown) of the runtime
# the java binary JAVA belongs to, from its release file (JAVA_VERSION="25.0.3"): no JVM started,
# which would cost 0.1 s or more. HOME/bin/java finds HOME/release directly; only a java reached
# through a symlink elsewhere (/usr/bin/java, the alternatives) is resolved with readlink.
runtime_of() {
  local real
  home=${1%/bin/java}
  if [[ ! -f "$home/release" ]]; then
    real=$(readlink -f "$1")
    home=${real%/bin/*}
  fi
  release_field "$home/release" JAVA_VERSION
  feature=${field#1.} # "1.8.0_402": before JDK 9 the feature came second
  feature=${feature%%[!0-9]*}
  if [[ -z "$feature" ]]; then
    feature=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p')
  fi
}

java_feature_version() { # the feature version of the java binary $1, or nothing (for scripts/package)
  local home feature field
  runtime_of "$1"
  echo "$feature"
}

# java_candidate JAVA: takes JAVA if it is a runtime >= 22: sets $java, $java_home, $java_feature.
java_candidate() {
  [[ -x "$1" ]] || return 1
  runtime_of "$1"
  [[ -n "$feature" && "$feature" -ge 22 ]] || return 1
  java=$1 java_home=$home java_feature=$feature
}

# find_java: the first runtime >= 22 in $java_first (scripts/bandaid's remembered JDK, when it
# comes first), $JAVA_HOME, PATH, /usr/lib/jvm/*: sets $java, $java_home, $java_feature.
# The first that is one alone: looking PATH up with $(type -P java) starts a subshell, ~3.5 ms on
# every activation here.
find_java() {
  local dir home feature field path_java
  if [[ -n "${java_first:-}" ]] && java_candidate "$java_first/bin/java"; then return 0; fi
  if [[ -n "${JAVA_HOME:-}" ]] && java_candidate "$JAVA_HOME/bin/java"; then return 0; fi
  if path_java=$(type -P java) && java_candidate "$path_java"; then return 0; fi
  # BANDAID_JVM_ROOT stands in for /usr/lib/jvm in tests of this search.
  for dir in "${BANDAID_JVM_ROOT:-/usr/lib/jvm}"/*/; do
    if java_candidate "${dir}bin/java"; then return 0; fi
  done
  return 1
}

if ! find_java; then
  # Debian 12 has no Java >= 22 of its own (openjdk-17 only); Debian 13 and Ubuntu 24.04 have 25.
  echo "bandaid: needs a Java runtime >= 22 (none in \$JAVA_HOME, PATH or /usr/lib/jvm): on Debian 13 or Ubuntu 24.04, apt-get install openjdk-25-jdk-headless; on Debian 12, temurin-25-jdk from Eclipse Temurin's apt repository (https://adoptium.net/installation/linux/); or set JAVA_HOME to one (the .deb needs none)" >&2
  exit 69
fi
release_field "$java_home/release" JAVA_RUNTIME_VERSION
java_runtime=$field
