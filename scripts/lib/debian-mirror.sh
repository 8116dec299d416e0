# SPDX-License-Identifier: Apache-2.0
# Sourced by scripts/kernels: the Debian mirror its downloads come from, taken from this machine's
# apt sources, never written down here (scripts/systemd-rootfs finds its bookworm one alike).

# debian_mirror SUITE: prints the URI to fetch Debian SUITE from: $BANDAID_TEST_MIRROR if set;
# else the first URI in the apt sources that serves SUITE; else the first that serves this
# machine's own Debian release (/etc/os-release), since a Debian mirror carries every suite
# (trixie, bookworm-backports, ...) beside the one the machine runs. Without one, says in one line
# how to give it and returns 1.
debian_mirror() {
  local suite=$1 own= candidate
  if [[ -n "${BANDAID_TEST_MIRROR:-}" ]]; then echo "$BANDAID_TEST_MIRROR"; return 0; fi
  if [[ -r /etc/os-release ]] && grep -qx 'ID=debian' /etc/os-release; then
    own=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release)
  fi
  for candidate in "$suite" ${own:+"$own"}; do
    if apt_source_serving "$candidate"; then return 0; fi
  done
  echo "no Debian mirror serving $suite${own:+ or $own} in this machine's apt sources: set BANDAID_TEST_MIRROR to one (a URL like those in /etc/apt/sources.list)" >&2
  return 1
}

# apt_source_serving SUITE: prints the first URI of the apt sources whose suites include SUITE.
apt_source_serving() {
  local suite=$1 f
  {
    for f in /etc/apt/sources.list.d/*.sources; do
      [[ -f "$f" ]] || continue
      # deb822: stanzas separated by blank lines; the URIs of a stanza whose Suites has $suite.
      awk -v suite="$suite" '
        BEGIN { RS = ""; FS = "\n" }
        {
          uris = ""; ok = 0
          for (i = 1; i <= NF; i++) {
            if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); split($i, u, /[ \t]+/); uris = u[1] }
            if ($i ~ /^Suites:/) { n = split($i, s, /[ \t]+/); for (j = 2; j <= n; j++) if (s[j] == suite) ok = 1 }
          }
          if (ok && uris != "") { print uris; exit }
        }' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [[ -f "$f" ]] || continue
      # one-line format: deb [options] URI SUITE COMPONENTS...
      awk -v suite="$suite" '$1 == "deb" { line = $0; sub(/\[[^]]*\][ \t]*/, "", line); split(line, w, /[ \t]+/); if (w[3] == suite) { print w[2]; exit } }' "$f"
    done
  } | head -n 1 | grep .
}
