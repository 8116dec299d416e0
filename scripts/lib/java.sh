# Sourced by scripts/*: finds a Java runtime >= 22 (FFM, java.lang.foreign, is final in 22).
# Looks at $JAVA_HOME, then PATH, then /usr/lib/jvm/*; sets $java and $java_home, or says in one
# line what is missing and exits 79.

java_feature_version() { # the feature version of the java binary $1, or nothing
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
  echo "bandaid: needs a Java runtime >= 22 (none in \$JAVA_HOME, PATH or /usr/lib/jvm); install one (e.g. apt-get install openjdk-25-jdk-headless) or set JAVA_HOME" >&2
  exit 79
fi
java_home=$(dirname "$(dirname "$(readlink -f "$java")")")
