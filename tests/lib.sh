# tests/lib.sh - sourced by the shell tests: a tally of checks, and a pair of
# network namespaces for the live tests. Needs $t (a scratch directory).

pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# expect RC DESCRIPTION -- command...: the command exits with RC.
expect() {
	want=$1 what=$2; shift 3
	"$@" >"$t/out" 2>"$t/err"; rc=$?
	if [ "$rc" -eq "$want" ]; then ok; else bad "$what: exit $rc, want $want"; cat "$t/err"; fi
}

# netns_pair NAME SUBNET: namespaces $A and $B joined by a veth pair, va in
# $A with SUBNET.1/24, vb in $B with SUBNET.2/24, both up. Exits 77 (skip)
# when namespaces cannot be made here. The caller's exit trap runs
# netns_del.
A= B=
netns_pair() {
	A=$1-a-$$ B=$1-b-$$
	if ! ip netns add "$A" 2>/dev/null || ! ip netns add "$B"; then
		echo "SKIP: cannot create network namespaces here"
		exit 77
	fi
	ip -n "$A" link add va type veth peer name vb netns "$B" || exit 77
	ip -n "$A" addr add "$2.1/24" dev va
	ip -n "$B" addr add "$2.2/24" dev vb
	ip -n "$A" link set va up; ip -n "$A" link set lo up
	ip -n "$B" link set vb up; ip -n "$B" link set lo up
}
netns_del() {
	[ -n "$A" ] && ip netns del "$A" 2>/dev/null
	[ -n "$B" ] && ip netns del "$B" 2>/dev/null
}
