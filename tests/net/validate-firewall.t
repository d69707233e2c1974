# kvmprep-validate reads the running kernel's nftables ruleset (through
# libnftables) and --migrate judges whether the destination lets libvirt's
# migration (49152-49215/tcp) and its connection (libvirtd 16509/16514,
# ssh 22) in. Each ruleset is loaded into a network namespace this case
# creates and deletes; the tool runs inside it, on the machine's own host.
. "$TOP/tests/lib.sh"
command -v nft >/dev/null || { echo "nft (package nftables) is not installed"; exit 77; }
NS=kpfw$$-$RANDOM
OUT=$(mktemp -d "${TMPDIR:-/tmp}/kp-fw.XXXXXX")
trap 'ip netns del "$NS" 2>/dev/null; rm -rf "$OUT"' EXIT
ip netns add "$NS" || fail "cannot create a network namespace"
in_ns() { ip netns exec "$NS" "$@"; }
unset KVMPREP_ROOT

load() { in_ns nft flush ruleset && in_ns nft -f - || fail "cannot load the ruleset"; }
# fw PORT: the verdict the host object gives for that port group
fw() { in_ns kvmprep-validate --json >"$OUT/doc.json"; jq -r ".host.firewall.ports.$1.verdict" "$OUT/doc.json"; }
why() { jq -r ".host.firewall.ports.$1.why" "$OUT/doc.json"; }
# mig WANT_STATUS: migrate.firewall from this host (as the destination) to itself
mig() {
	in_ns kvmprep-validate --json --migrate - - >"$OUT/mig.json"
	jq -r '.checks[] | select(.id == "migrate.firewall") | .status' "$OUT/mig.json"
}
mfind() { jq -r '.checks[] | select(.id == "migrate.firewall") | .finding + " | " + (.hint // "")' "$OUT/mig.json"; }

# 1. nothing loaded: nothing filters
in_ns nft flush ruleset
assert_eq "$(jq -r .host.firewall.read <(in_ns kvmprep-validate --json))" true "read"
assert_eq "$(fw migration)" open "empty ruleset"
assert_eq "$(mig)" PASS "empty ruleset"
mfind | grep -q 'libvirtd 16509/tcp, libvirtd TLS 16514/tcp, ssh 22/tcp' || fail "connection ports not listed: $(mfind)"

# 2. a drop policy that lets ssh and the migration ports in (a named set)
load <<'NFT'
table inet filter {
  set mig { type inet_service; flags interval; elements = { 49152-49215 } }
  chain input {
    type filter hook input priority filter; policy drop;
    ct state established,related accept
    iif lo accept
    tcp dport 22 accept
    tcp dport @mig accept
  }
}
NFT
assert_eq "$(fw migration)" open "named set"
assert_eq "$(fw ssh)" open "ssh"
assert_eq "$(fw libvirtd)" closed "libvirtd"
why libvirtd | grep -q 'the drop policy of chain input in table inet filter' || fail "policy not named: $(why libvirtd)"
assert_eq "$(mig)" PASS "ssh and migration ports"
mfind | grep -q '(ssh 22/tcp)' || fail "$(mfind)"

# 3. only ssh: the migration ports are dropped by an explicit reject
load <<'NFT'
table inet filter {
  chain input {
    type filter hook input priority 0; policy accept;
    ct state established,related accept
    tcp dport 22 accept
    tcp dport 1-65535 counter reject
  }
}
NFT
assert_eq "$(fw migration)" closed "reject"
assert_eq "$(mig)" FAIL "migration ports dropped"
mfind | grep -q 'drops libvirt.s migration ports 49152-49215/tcp (dropped by rule [0-9]* of chain input in table inet filter)' ||
	fail "$(mfind)"
mfind | grep -q 'nft insert rule' || fail "no nft remedy: $(mfind)"

# 4. firewalld's table: the remedy is firewall-cmd; ct state verdict map,
#    jump to a chain, port verdict map
load <<'NFT'
table inet firewalld {
  chain filter_INPUT {
    type filter hook input priority filter + 10; policy accept;
    ct state vmap { established : accept, related : accept, invalid : drop, new : jump zone }
  }
  chain zone {
    tcp dport vmap { 22 : accept, 16509 : accept }
    reject with icmpx admin-prohibited
  }
}
NFT
assert_eq "$(fw ssh)" open "vmap ssh"
assert_eq "$(fw libvirtd)" open "vmap libvirtd"
assert_eq "$(fw libvirtd_tls)" closed "vmap 16514"
assert_eq "$(fw migration)" closed "jump + reject"
assert_eq "$(jq -r .host.firewall.firewalld "$OUT/doc.json")" true "firewalld seen"
assert_eq "$(mig)" FAIL "firewalld"
mfind | grep -q 'firewall-cmd --permanent --add-port=49152-49215/tcp' || fail "no firewall-cmd remedy: $(mfind)"

# 5. the migration ports only from one network: it depends, named
load <<'NFT'
table ip filter {
  chain input {
    type filter hook input priority 0; policy drop;
    tcp dport 22 accept
    ip saddr 10.0.0.0/8 tcp dport 49152-49215 accept
  }
}
NFT
assert_eq "$(fw migration)" depends "saddr"
why migration | grep -q 'depends on the source or interface: rule [0-9]* of chain input in table ip filter' || fail "$(why migration)"
assert_eq "$(mig)" WARN "saddr"

# 6. neither libvirtd nor ssh
load <<'NFT'
table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    tcp dport 49152-49215 accept
  }
}
NFT
assert_eq "$(mig)" FAIL "no connection"
mfind | grep -q 'lets in neither libvirtd (16509/tcp, 16514/tcp) nor ssh (22/tcp)' || fail "$(mfind)"

# 7. two base chains on input: both must accept; a prerouting drop counts
load <<'NFT'
table inet a {
  chain input { type filter hook input priority 0; policy accept; }
}
table inet b {
  chain pre { type filter hook prerouting priority -300; policy accept; tcp dport 49200 drop; }
}
NFT
assert_eq "$(fw migration)" depends "one port of the range dropped"
why migration | grep -q 'dropped by rule [0-9]* of chain pre in table inet b' || fail "$(why migration)"

# 8. an older document without the record, and a fake host: SKIP, said why
in_ns nft flush ruleset
in_ns kvmprep-validate --json | jq 'del(.host.firewall)' >"$OUT/old.json"
in_ns kvmprep-validate --json --migrate - "$OUT/old.json" >"$OUT/mig.json"
assert_eq "$(jq -r '.checks[] | select(.id == "migrate.firewall") | .status' "$OUT/mig.json")" SKIP "older document"
mfind | grep -q 'no firewall record' || fail "$(mfind)"
"$FAKEHOST" validate-mig-a -- kvmprep-validate --json >"$OUT/fake.json"
assert_eq "$(jq -r .host.firewall.read "$OUT/fake.json")" false "fake host"
jq -r .host.firewall.why "$OUT/fake.json" | grep -q 'fake or captured host' || fail "fake host: no reason"
# --root judges a target system: the running ruleset is not its firewall
in_ns kvmprep-validate --root / --json >"$OUT/target.json"
assert_eq "$(jq -r .host.firewall.read "$OUT/target.json")" false "--root"
jq -r .host.firewall.why "$OUT/target.json" | grep -q 'target system' || fail "--root: no reason"
