#!/usr/bin/env bash
# pcaps/lab/run.sh - regenerate synfin's reference captures in pcaps/.
#
# Usage: run.sh [scenario ...]        (default: all scenarios)
#        run.sh --list
#
# Builds four private network namespaces (sf-cli-<pid>, sf-srv-<pid>,
# sf-mid-<pid>, sf-rtr-<pid>).  sf-cli and sf-srv are joined three times:
#   direct:   vc 10.77.0.1/24 fd77::1/64 <-> vs 10.77.0.2/24 fd77::2/64
#   impaired: vc2 10.77.1.1/24 fd77:1::1/64 <-> ma [sf-mid: impair] mb
#             <-> vs2 10.77.1.2/24 fd77:1::2/64
#   routed:   vc3 10.77.2.1/24 <-> ra [sf-rtr: IPv4 router] rb (MTU 576)
#             <-> vs3 10.77.3.2/24
# where lab/impair (impair.c) forwards frames between ma and mb and drops,
# delays, duplicates or reorders the ones a scenario asks for (the kernel
# has no netem).  It compiles peer.c, impair.c and vlantag.c into a temp dir,
# and for every scenario runs tcpdump in the client namespace while lab/peer
# plays client and server.  Each capture is written to
# pcaps/<scenario>.pcap (overwritten).  No traffic ever leaves the four
# namespaces; the host's interfaces and routes are never touched.
#
# Exit status: 0 all captures written and their shape checked, 1 a scenario
# failed or its capture does not have the expected shape, 77 cannot run here
# (not root, no `ip netns`, missing tool).

set -u -o pipefail

LAB_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
OUT_DIR=${SYNFIN_LAB_OUT:-$(dirname -- "$LAB_DIR")}   # .../pcaps, or $SYNFIN_LAB_OUT

ALL_SCENARIOS="client-close server-close refused unanswered abort half-close
ipv6-client-close tw-reuse synack-lost final-ack-lost fin-lost reorder-dup
simultaneous-close simultaneous-open vlan parallel backlog fin-wait2-timeout
upstream-loss tfo-synack-lost one-sided icmp-reject fragments router-any
router-ifaces fin-noack"

# ---------------------------------------------------------------- addresses
C4=10.77.0.1   S4=10.77.0.2
C6=fd77::1     S6=fd77::2
C4I=10.77.1.1  S4I=10.77.1.2       # the impaired path (through sf-mid)
C6I=fd77:1::1  S6I=fd77:1::2
C4R=10.77.2.1  S4R=10.77.3.2       # the routed path (through sf-rtr)
# Port plan: scenario N uses server port 7000+N and client port 40000+N
# (parallel: client ports 41000-41199, backlog: 42000-42003, tfo-synack-lost:
# 40022 and 40122; fragments: 40025 to 7025 on the routed path,
# router-any: 40026 to 7026 there, router-ifaces: 40027 to 7027).

skip() { echo "run.sh: $*" >&2; exit 77; }
log()  { printf '%s\n' "== $*" >&2; }

if [ "${1:-}" = "--list" ]; then
	echo $ALL_SCENARIOS; exit 0
fi
if [ "$#" -gt 0 ]; then
	SCENARIOS="$*"
	for s in $SCENARIOS; do
		case " $(echo $ALL_SCENARIOS) " in
		*" $s "*) ;;
		*) echo "run.sh: unknown scenario '$s' (try --list)" >&2; exit 1 ;;
		esac
	done
else
	SCENARIOS=$ALL_SCENARIOS
fi

# ---------------------------------------------------------------- preflight
[ "$(id -u)" -eq 0 ] || skip "must run as root (needs network namespaces)"
command -v ip >/dev/null 2>&1 || skip "iproute2 'ip' not found"
ip netns list >/dev/null 2>&1 || skip "'ip netns' is not available here"
for t in tcpdump gcc nft sysctl timeout; do
	command -v "$t" >/dev/null 2>&1 || skip "'$t' not found (apt-get install ${t/nft/nftables})"
done
HAVE_ETHTOOL=0
command -v ethtool >/dev/null 2>&1 && HAVE_ETHTOOL=1

NSC="sf-cli-$$"
NSS="sf-srv-$$"
NSM="sf-mid-$$"
NSR="sf-rtr-$$"
TMP=""
PIDS=()
CLEANED=""

cleanup() {
	[ -n "$CLEANED" ] && return 0
	CLEANED=1
	local pid ns
	for pid in "${PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for _ in $(seq 1 20); do        # up to 2 s for them to go
		local alive=0
		for pid in "${PIDS[@]}"; do
			kill -0 "$pid" 2>/dev/null && alive=1
		done
		[ "$alive" = 0 ] && break
		sleep 0.1
	done
	for pid in "${PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	for ns in "$NSC" "$NSS" "$NSM" "$NSR"; do
		if ip netns list 2>/dev/null | grep -qw -- "$ns"; then
			# anything still inside our own namespaces was started by us
			for pid in $(ip netns pids "$ns" 2>/dev/null); do
				kill -KILL "$pid" 2>/dev/null
			done
			ip netns del "$ns" 2>/dev/null
		fi
	done
	[ -n "$TMP" ] && rm -rf -- "$TMP"
	return 0
}
trap 'cleanup' EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

die() { echo "run.sh: $*" >&2; exit 1; }

for ns in "$NSC" "$NSS" "$NSM" "$NSR"; do
	ip netns list | grep -qw -- "$ns" && die "namespace $ns already exists"
done

TMP=$(mktemp -d /tmp/synfin-lab.XXXXXX) || die "mktemp failed"
PEER="$TMP/peer"
IMPAIR="$TMP/impair"
VLANTAG="$TMP/vlantag"

log "building peer, impair, vlantag"
gcc -std=c11 -Wall -Wextra -Werror -O2 -o "$PEER" "$LAB_DIR/peer.c" ||
	die "cannot build peer.c"
gcc -std=c11 -Wall -Wextra -Werror -O2 -o "$IMPAIR" "$LAB_DIR/impair.c" ||
	die "cannot build impair.c"
gcc -std=c11 -Wall -Wextra -Werror -O2 -o "$VLANTAG" "$LAB_DIR/vlantag.c" ||
	die "cannot build vlantag.c"

# ---------------------------------------------------------------- topology
# run a command in the client / server namespace.  Foreground use only: a
# backgrounded shell function would make $! the pid of a subshell, so
# background jobs call `ip netns exec` directly (it execs, keeping the pid).
inc() { ip netns exec "$NSC" "$@"; }
ins() { ip netns exec "$NSS" "$@"; }
inm() { ip netns exec "$NSM" "$@"; }

log "creating namespaces $NSC / $NSS / $NSM"
ip netns add "$NSC" || die "ip netns add $NSC"
ip netns add "$NSS" || die "ip netns add $NSS"
ip netns add "$NSM" || die "ip netns add $NSM"
# the middle namespace is a wire, not a host: no IPv6 (no ND/MLD/RS of its
# own), no addresses, no forwarding.  Set before its links exist.
inm sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	net.ipv6.conf.default.disable_ipv6=1 >/dev/null || die "sysctl in $NSM"
# create each veth inside one of our namespaces, peer end straight into
# another: nothing is ever created in the caller's namespace.
ip -n "$NSC" link add vc type veth peer name vs netns "$NSS" ||
	die "cannot create veth pair"
ip -n "$NSC" link add vc2 type veth peer name ma netns "$NSM" ||
	die "cannot create veth pair vc2/ma"
ip -n "$NSM" link add mb type veth peer name vs2 netns "$NSS" ||
	die "cannot create veth pair mb/vs2"

# offloads off on every veth: frames are real-sized (no GSO/GRO/TSO
# super-frames) and carry real checksums.
offloads_off() {    # ns dev
	[ "$HAVE_ETHTOOL" = 1 ] || return 0
	ip netns exec "$1" ethtool -K "$2" tx off rx off sg off tso off gso off \
		gro off >/dev/null 2>&1 ||
		echo "run.sh: warning: ethtool -K $2 failed" >&2
}

setup_ns() {    # ns dev addr4 addr6 [dev2 addr4 addr6]
	local ns=$1 dev=$2 a4=$3 a6=$4 dev2=${5:-} b4=${6:-} b6=${7:-}
	ip netns exec "$ns" sysctl -qw \
		net.ipv6.conf.all.disable_ipv6=0 \
		net.ipv6.conf.default.disable_ipv6=0 \
		net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.accept_ra=0 \
		net.ipv6.conf.default.accept_ra=0 \
		net.ipv4.tcp_timestamps=1 \
		net.ipv4.tcp_sack=1 \
		net.ipv4.tcp_window_scaling=1 \
		net.ipv4.tcp_ecn=0 >/dev/null || die "sysctl in $ns"
	ip -n "$ns" link set lo up
	ip -n "$ns" addr add "$a4/24" dev "$dev" || die "addr $a4"
	ip -n "$ns" addr add "$a6/64" dev "$dev" nodad || die "addr $a6"
	# veth defaults to checksum offload: locally sent packets would be
	# captured with partial (wrong) TCP checksums.  Turn it off so the
	# pcaps carry real checksums.
	offloads_off "$ns" "$dev"
	ip -n "$ns" link set dev "$dev" up || die "link up $dev"
	if [ -n "$dev2" ]; then
		ip -n "$ns" addr add "$b4/24" dev "$dev2" || die "addr $b4"
		ip -n "$ns" addr add "$b6/64" dev "$dev2" nodad || die "addr $b6"
		offloads_off "$ns" "$dev2"
		ip -n "$ns" link set dev "$dev2" up || die "link up $dev2"
	fi
}
setup_ns "$NSC" vc "$C4" "$C6" vc2 "$C4I" "$C6I"
setup_ns "$NSS" vs "$S4" "$S6" vs2 "$S4I" "$S6I"
for d in ma mb; do
	inm sysctl -qw "net.ipv6.conf.$d.disable_ipv6=1" >/dev/null 2>&1
	offloads_off "$NSM" "$d"
	ip -n "$NSM" link set dev "$d" up || die "link up $d"
done
ip -n "$NSM" link set lo up

# the routed path (fragments): sf-rtr is an IPv4 router between
#   vc3 10.77.2.1/24 <-> ra 10.77.2.254/24 [sf-rtr] rb 10.77.3.254/24
#   <-> vs3 10.77.3.2/24
# with an MTU of 576 on rb: a client segment sent without DF (peer
# --no-df) that is larger is cut into fragments on its way to the server.
ip netns add "$NSR" || die "ip netns add $NSR"
ip netns exec "$NSR" sysctl -qw net.ipv4.ip_forward=1 \
	net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
	>/dev/null || die "sysctl in $NSR"
ip -n "$NSC" link add vc3 type veth peer name ra netns "$NSR" ||
	die "cannot create veth pair vc3/ra"
ip -n "$NSR" link add rb type veth peer name vs3 netns "$NSS" ||
	die "cannot create veth pair rb/vs3"
for l in "$NSC vc3 $C4R/24" "$NSR ra 10.77.2.254/24" "$NSR rb 10.77.3.254/24" \
    "$NSS vs3 $S4R/24"; do
	set -- $l
	ip -n "$1" addr add "$3" dev "$2" || die "addr $3"
	offloads_off "$1" "$2"
	ip -n "$1" link set dev "$2" up || die "link up $2"
done
set --
ip -n "$NSR" link set dev rb mtu 576 || die "mtu on rb"
ip -n "$NSR" link set lo up
ip -n "$NSC" route add 10.77.3.0/24 via 10.77.2.254 || die "route in $NSC"
ip -n "$NSS" route add 10.77.2.0/24 via 10.77.3.254 || die "route in $NSS"
[ "$HAVE_ETHTOOL" = 1 ] ||
	echo "run.sh: warning: ethtool missing, client-sent packets will have offloaded (bad) checksums" >&2

# client-side knobs for specific scenarios (only ever affect our netns)
inc sysctl -qw net.ipv4.tcp_syn_retries=2 >/dev/null   # unanswered: short
# Linux >= 6.x may retransmit the first SYNs with linear 1 s timeouts
# (tcp_syn_linear_timeouts, default 4); force the classic exponential
# backoff (SYN at 0, 1, 3 s, give up at 7 s) so the capture has the same
# shape on every kernel.
if [ -e /proc/sys/net/ipv4/tcp_syn_linear_timeouts ]; then
	inc sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0 >/dev/null
fi
inc sysctl -qw net.ipv4.tcp_tw_reuse=1 >/dev/null      # tw-reuse
# backlog: a full accept queue drops the third ACK instead of answering RST
# (this is the default; set it so the capture does not depend on it)
ins sysctl -qw net.ipv4.tcp_abort_on_overflow=0 >/dev/null
# unanswered: the server netns silently drops SYNs to port 7004
ins nft -f - <<'EOF' || die "nft setup failed"
table inet sflab {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 7004 drop
		tcp dport 7024 reject	# icmp-reject: ICMP port unreachable
	}
}
EOF

# wait (bounded) for IPv4 + IPv6 on the links: carrier up, addresses usable
for _ in $(seq 1 50); do
	if ip -n "$NSC" -6 addr show dev vc | grep -q 'fd77::1' &&
	   ! ip -n "$NSC" -6 addr show | grep -q tentative &&
	   ip -n "$NSC" link show vc | grep -q 'LOWER_UP' &&
	   ip -n "$NSC" link show vc2 | grep -q 'LOWER_UP' &&
	   ip -n "$NSS" link show vs2 | grep -q 'LOWER_UP'; then
		break
	fi
	sleep 0.1
done

# ---------------------------------------------------------------- helpers
CAP_PID=""
SRV_PID=""

# wait_pid PID SECONDS -> exit status of PID, 124 if it had to be killed
wait_pid() {
	local pid=$1 secs=$2
	for _ in $(seq 1 $((secs * 10))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 124
	fi
	wait "$pid"
}

start_capture() {   # name [netns [iface [filter [tcpdump-option]]]]
	local name=$1 ns=${2:-$NSC} ifc=${3:-vc} filter=${4:-tcp} opt=${5:-}
	rm -f "$TMP/$name.pcap"
	# -U: write each packet as it arrives; -Z root: keep privileges so the
	# temp dir is writable; default snaplen; only TCP (no ARP/ND noise).
	# --immediate-mode: hand every packet to tcpdump at once (otherwise the
	# TPACKET_V3 ring holds them for up to 1 s and a SIGINT stop loses the
	# tail of the capture).
	# Background jobs of a non-interactive shell inherit SIGINT as ignored;
	# env --default-signal=INT restores it so tcpdump can be stopped cleanly.
	ip netns exec "$ns" env --default-signal=INT \
		tcpdump -i "$ifc" $opt -nn -U --immediate-mode -Z root \
		-w "$TMP/$name.pcap" "$filter" >"$TMP/$name.tcpdump.log" 2>&1 &
	CAP_PID=$!
	PIDS+=("$CAP_PID")
	capture_started tcpdump "$TMP/$name.tcpdump.log" 'listening on'
	sleep 0.2
}

# capture_started TOOL LOG TEXT: wait (5 s at most) for CAP_PID's TOOL to
# write TEXT to LOG, that it listens; die if it does not.
capture_started() {
	local tool=$1 log=$2 text=$3
	for _ in $(seq 1 50); do
		grep -q "$text" "$log" 2>/dev/null && return 0
		kill -0 "$CAP_PID" 2>/dev/null || break
		sleep 0.1
	done
	grep -q "$text" "$log" || die "$tool did not start: $(cat "$log")"
}

# end_capture name [settle-seconds]: stop tcpdump, the capture stays in $TMP
end_capture() {
	local name=$1 settle=${2:-0.5}
	sleep "$settle"                 # settle: let the last ACK go out
	kill -INT "$CAP_PID" 2>/dev/null
	wait_pid "$CAP_PID" 5 || echo "run.sh: tcpdump exit status $?" >&2
	CAP_PID=""
	[ -s "$TMP/$name.pcap" ] || die "$name: empty capture"
}

# publish name: atomically replace pcaps/<name>.pcap with the capture
publish() {
	local name=$1
	cp -- "$TMP/$name.pcap" "$OUT_DIR/.$name.pcap.tmp" &&
		chmod 644 "$OUT_DIR/.$name.pcap.tmp" &&
		mv -f -- "$OUT_DIR/.$name.pcap.tmp" "$OUT_DIR/$name.pcap" ||
		die "$name: cannot write $OUT_DIR/$name.pcap"
}

stop_capture() {    # name [settle-seconds]
	end_capture "$@"
	publish "$1"
}

# start_impair name impair-options...: the forwarder between ma and mb in
# the middle namespace ("ab" = client -> server).  Bounded by its own
# --timeout and by `timeout`.
IMP_PID=""
start_impair() {
	local name=$1
	shift
	rm -f "$TMP/impair.ready"
	ip netns exec "$NSM" timeout 60 "$IMPAIR" --a ma --b mb --timeout 50 \
		--ready-file "$TMP/impair.ready" "$@" >"$TMP/$name.impair.log" 2>&1 &
	IMP_PID=$!
	PIDS+=("$IMP_PID")
	for _ in $(seq 1 50); do
		[ -s "$TMP/impair.ready" ] && return 0
		kill -0 "$IMP_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$TMP/$name.impair.log" >&2
	die "$name: impair did not start"
}

stop_impair() {
	[ -n "$IMP_PID" ] || return 0
	kill -TERM "$IMP_PID" 2>/dev/null
	wait_pid "$IMP_PID" 5 >/dev/null 2>&1
	IMP_PID=""
}

start_server() {    # name addr port peer-options...
	local name=$1 addr=$2 port=$3
	shift 3
	rm -f "$TMP/ready"
	ip netns exec "$NSS" timeout 30 "$PEER" server "$addr" "$port" --ready-file "$TMP/ready" \
		"$@" 2>"$TMP/$name.server.log" &
	SRV_PID=$!
	PIDS+=("$SRV_PID")
	for _ in $(seq 1 50); do
		[ -s "$TMP/ready" ] && return 0
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$TMP/$name.server.log" >&2
	die "$name: server did not start"
}

# run_client name expected-status addr port peer-options...
run_client() {
	local name=$1 want=$2 addr=$3 port=$4 rc
	shift 4
	inc timeout 30 "$PEER" client "$addr" "$port" "$@" \
		2>"$TMP/$name.client.log"
	rc=$?
	if [ "$rc" != "$want" ]; then
		cat "$TMP/$name.client.log" >&2
		die "$name: client exited $rc, expected $want"
	fi
}

# finish_server name expected-status
finish_server() {
	local name=$1 want=$2 rc=0
	wait_pid "$SRV_PID" 10 || rc=$?
	SRV_PID=""
	if [ "$rc" != "$want" ]; then
		cat "$TMP/$name.server.log" >&2
		die "$name: server exited $rc, expected $want"
	fi
}

# shape FILE: one token per packet, '>' client->server, '<' server->client,
# tcpdump flags, then payload length if non-zero.  E.g. ">S <S. >. >P.32"
# (the client is the endpoint in sf-cli, on either path)
CLIENT_ADDRS="$C4 $C6 $C4I $C6I $C4R"
shape() {
	tcpdump -nn -t -r "$1" 2>/dev/null | awk -v cl="$CLIENT_ADDRS" '
	BEGIN { n = split(cl, a, " "); for (i = 1; i <= n; i++) isc[a[i]] = 1 }
	{
		src = $2; sub(/\.[0-9]+$/, "", src)
		dir = (src in isc) ? ">" : "<"
		fl = $0; sub(/.*Flags \[/, "", fl); sub(/\].*/, "", fl)
		len = $0; n = 0
		if (match(len, /length [0-9]+/)) n = substr(len, RSTART + 7, RLENGTH - 7) + 0
		printf "%s%s%s%s", (NR > 1 ? " " : ""), dir, fl, (n ? n : "")
	}
	END { print "" }'
}

# pkts FILE: one line per packet with absolute numbers:
#   DIR FLAGS SEQ ACK LEN SPORT DPORT      (SEQ/ACK "-" when absent)
pkts() {
	tcpdump -nn -t -S -r "$1" 2>/dev/null | awk -v cl="$CLIENT_ADDRS" '
	BEGIN { n = split(cl, a, " "); for (i = 1; i <= n; i++) isc[a[i]] = 1 }
	{
		src = $2; sp = src; sub(/\.[0-9]+$/, "", src); sub(/.*\./, "", sp)
		dp = $4; sub(/:$/, "", dp); sub(/.*\./, "", dp)
		dir = (src in isc) ? ">" : "<"
		fl = $0; sub(/.*Flags \[/, "", fl); sub(/\].*/, "", fl)
		seq = "-"; ack = "-"; len = 0
		if (match($0, / seq [0-9]+/)) seq = substr($0, RSTART + 5, RLENGTH - 5)
		if (match($0, / ack [0-9]+/)) ack = substr($0, RSTART + 5, RLENGTH - 5)
		if (match($0, /length [0-9]+/)) len = substr($0, RSTART + 7, RLENGTH - 7) + 0
		print dir, fl, seq, ack, len, sp, dp
	}'
}

# ---------------------------------------------------------------- scenarios
# Common conversation: client sends a 32-byte request, server answers with
# 64 bytes.  "--close-delay 300" on the side that closes second keeps its
# FIN apart from the ACK of the first FIN (Linux delays that ACK up to
# 200 ms and would otherwise piggyback it, giving a 3-packet teardown).

sc_client_close() {   # $1 name, $2 client addr, $3 server addr, $4 cport, $5 sport
	start_server "$1" "$3" "$5" --recv 32 --send 64 --wait-close --close-delay 300
	run_client "$1" 0 "$3" "$5" --bind "[$2]:$4" --send 32 --recv 64 --close-first
	finish_server "$1" 0
}

scenario_client-close() { sc_client_close client-close "$C4" "$S4" 40001 7001; }
scenario_ipv6-client-close() { sc_client_close ipv6-client-close "$C6" "$S6" 40007 7007; }

scenario_server-close() {
	start_server server-close "$S4" 7002 --recv 32 --send 64 --close-first
	run_client server-close 0 "$S4" 7002 --bind "$C4:40002" --send 32 --recv 64 \
		--wait-close --close-delay 300
	finish_server server-close 0
}

scenario_refused() {
	# nothing listens on 7003: the server kernel answers the SYN with RST,ACK
	run_client refused 2 "$S4" 7003 --bind "$C4:40003" --send 32
}

scenario_unanswered() {
	# nft drops SYNs to 7004; tcp_syn_retries=2 in the client netns makes the
	# kernel give up (ETIMEDOUT) after 3 SYNs.  --connect-timeout is only a
	# guard above the kernel's own limit.
	run_client unanswered 3 "$S4" 7004 --bind "$C4:40004" --connect-timeout 15 \
		--deadline 20
}

scenario_abort() {
	# server reads until EOF; instead it gets ECONNRESET (status 4)
	start_server abort "$S4" 7005 --recv-all
	run_client abort 0 "$S4" 7005 --bind "$C4:40005" --send 32 --pause 100 --abort
	finish_server abort 4
}

scenario_half-close() {
	# client: request, shutdown(SHUT_WR), read to EOF, close.
	# server: read to EOF, stream 100-byte chunks every 50 ms for 300 ms, close.
	start_server half-close "$S4" 7006 --half-close --stream 300 --chunk 100 \
		--interval 50 --close-first
	run_client half-close 0 "$S4" 7006 --bind "$C4:40006" --send 32 --shutdown-wr \
		--recv-all --close-first
	finish_server half-close 0
}

scenario_tw-reuse() {
	# two identical connections from 10.77.0.1:40008 (SO_REUSEADDR); the
	# client closes first and waits for the server's FIN, so the first
	# connection is in TIME_WAIT on the client when the second SYN goes out.
	start_server tw-reuse "$S4" 7008 --count 2 --recv 32 --send 64 \
		--wait-close --close-delay 300
	run_client tw-reuse 0 "$S4" 7008 --bind "$C4:40008" --reuseaddr --repeat 2 \
		--send 32 --recv 64 --await-peer-fin
	finish_server tw-reuse 0
}

# ---------------------------------------------------------------- new scenarios
# These run their own capture (full_<name>), most of them over the impaired
# path: client vc2 10.77.1.1 <-> ma [impair] mb <-> vs2 10.77.1.2 server,
# captured on vc2 (the client's veth).  For impair, "ab" is client->server.

# impaired_run name settle-seconds function [impair options...]
impaired_run() {
	local name=$1 settle=$2 fn=$3
	shift 3
	start_impair "$name" "$@"
	start_capture "$name" "$NSC" vc2
	"$fn" "$name"
	end_capture "$name" "$settle"
	stop_impair
}

# the client-close conversation over the impaired path: 32-byte request,
# 64-byte answer, the client closes first, the server 300 ms later
IMP_CPORT=0 IMP_SPORT=0
imp_client_close() {   # name (ports in IMP_CPORT / IMP_SPORT)
	start_server "$1" "$S4I" "$IMP_SPORT" --recv 32 --send 64 --wait-close \
		--close-delay 300
	run_client "$1" 0 "$S4I" "$IMP_SPORT" --bind "$C4I:$IMP_CPORT" --send 32 \
		--recv 64 --close-first
	finish_server "$1" 0
}

full_synack-lost() {
	# the first SYN-ACK (server -> client) is dropped in the middle
	IMP_CPORT=40011 IMP_SPORT=7011
	impaired_run synack-lost 1 imp_client_close --drop 'dir=ba,flags=S.,nth=1'
	publish synack-lost
}

full_final-ack-lost() {
	# the client's first pure ACK sent after the server's FIN went through
	# (its final ACK) is dropped; the settle time covers the server's RTO
	IMP_CPORT=40012 IMP_SPORT=7012
	impaired_run final-ack-lost 1.5 imp_client_close \
		--drop 'dir=ab,flags=.,payload=no,peerfin=yes,nth=1'
	publish final-ack-lost
}

full_fin-lost() {
	# the client's first FIN is dropped
	IMP_CPORT=40013 IMP_SPORT=7013
	impaired_run fin-lost 1 imp_client_close --drop 'dir=ab,has=F,nth=1'
	publish fin-lost
}

full_fin-noack() {
	# the client's first FIN loses its ACK bit in the middle, and the
	# capture is at the server, after the change: a segment no stack
	# sends once synchronized, which Linux drops (RFC 9293 3.10.7.4,
	# fifth: the ACK bit off); the client sends its FIN again, with
	# ACK, at its RTO
	IMP_CPORT=40028 IMP_SPORT=7028
	start_impair fin-noack --unack 'dir=ab,has=F,nth=1'
	start_capture fin-noack "$NSS" vs2
	imp_client_close fin-noack
	end_capture fin-noack 1
	stop_impair
	publish fin-noack
}

imp_reorder_dup() {    # name
	# the server answers with 7240 bytes in one send(): 5 full segments
	# (MSS 1448) back to back
	start_server "$1" "$S4I" 7014 --recv 32 --send 7240 --wait-close \
		--close-delay 300
	run_client "$1" 0 "$S4I" 7014 --bind "$C4I:40014" --send 32 --recv 7240 \
		--close-first
	finish_server "$1" 0
}
full_reorder-dup() {
	# 30 ms each way: Linux's RACK reordering window is min_rtt/4 (15 ms
	# here), larger than the gap between two back-to-back segments, so the
	# reordering does not trigger a (spurious) fast retransmit.
	# Server data segment 2 is held until segment 3 has gone (2 and 3
	# swap), and segment 4 is sent twice.
	impaired_run reorder-dup 1 imp_reorder_dup --delay-ms 30 \
		--reorder 'dir=ba,payload=yes,nth=2,after=1' \
		--dup 'dir=ba,payload=yes,nth=4'
	publish reorder-dup
}

SIM_CPORT=0
imp_simclose() {       # name
	local t
	t=$(( $(date +%s%3N) + 1500 ))
	# both: request/answer, then at time t shutdown(SHUT_WR), read to EOF,
	# close.  With 30 ms each way the FINs cross in flight.
	start_server "$1" "$S4I" 7015 --recv 32 --send 64 --await-peer-fin \
		--close-at "$t"
	run_client "$1" 0 "$S4I" 7015 --bind "$C4I:$SIM_CPORT" --send 32 --recv 64 \
		--await-peer-fin --close-at "$t"
	finish_server "$1" 0
}
full_simultaneous-close() {
	local k why
	for k in 1 2 3 4 5; do
		# a fresh client port per attempt (the last one is in TIME_WAIT)
		SIM_CPORT=$(( 40015 + 100 * (k - 1) ))
		impaired_run simultaneous-close 0.5 imp_simclose --delay-ms 30
		if why=$(check_simultaneous-close \
			"$(shape "$TMP/simultaneous-close.pcap")" \
			"$TMP/simultaneous-close.pcap"); then
			log "  attempt $k: FINs crossed"
			break
		fi
		log "  attempt $k: $why; again"
	done
	publish simultaneous-close
}

SIM_APORT=0 SIM_BPORT=0
imp_simopen() {        # name
	local name=$1 t rc=0 rcb=0
	t=$(( $(date +%s%3N) + 1000 ))
	# two clients, each bound to its fixed port, connect() to each other
	# at time t; 30 ms each way, so both SYNs are in flight at once.
	# The one in sf-srv ("server" side in the capture) sends 64 bytes and
	# closes second; the one in sf-cli sends 32 and closes first.
	ip netns exec "$NSS" timeout 30 "$PEER" client "$C4I" "$SIM_APORT" \
		--bind "$S4I:$SIM_BPORT" --connect-at "$t" --connect-timeout 5 \
		--send 64 --recv 32 --wait-close --close-delay 300 \
		2>"$TMP/$name.server.log" &
	SRV_PID=$!
	PIDS+=("$SRV_PID")
	inc timeout 30 "$PEER" client "$S4I" "$SIM_BPORT" --bind "$C4I:$SIM_APORT" \
		--connect-at "$t" --connect-timeout 5 --send 32 --recv 64 \
		--close-first 2>"$TMP/$name.client.log" || rc=$?
	wait_pid "$SRV_PID" 10 || rcb=$?
	SRV_PID=""
	if [ "$rc" != 0 ] || [ "$rcb" != 0 ]; then
		log "  simultaneous-open: peers exited $rc / $rcb"
	fi
	return 0
}
full_simultaneous-open() {
	local k why
	for k in 1 2 3 4 5; do
		SIM_APORT=$(( 40016 + 100 * (k - 1) ))
		SIM_BPORT=$(( 7016 + 100 * (k - 1) ))
		impaired_run simultaneous-open 0.5 imp_simopen --delay-ms 30
		if why=$(check_simultaneous-open \
			"$(shape "$TMP/simultaneous-open.pcap")" \
			"$TMP/simultaneous-open.pcap"); then
			log "  attempt $k: SYNs crossed"
			break
		fi
		log "  attempt $k: $why; again"
	done
	publish simultaneous-open
}

full_vlan() {
	# No CONFIG_VLAN_8021Q in this kernel: vlantag tags everything vc / vs
	# send with 802.1Q id 42 and untags id 42 on receive (tcx eBPF), for
	# this scenario only.  Captured on vc with the tag in the frames.
	local pa pb
	if [ "$HAVE_ETHTOOL" = 1 ]; then
		# tag inline in the frame data rather than in skb metadata
		inc ethtool -K vc txvlan off rxvlan off >/dev/null 2>&1
		ins ethtool -K vs txvlan off rxvlan off >/dev/null 2>&1
	fi
	rm -f "$TMP/vt-c.ready" "$TMP/vt-s.ready"
	ip netns exec "$NSC" timeout 40 "$VLANTAG" --dev vc --vid 42 --timeout 30 \
		--ready-file "$TMP/vt-c.ready" 2>"$TMP/vlan.vlantag-c.log" &
	pa=$!
	PIDS+=("$pa")
	ip netns exec "$NSS" timeout 40 "$VLANTAG" --dev vs --vid 42 --timeout 30 \
		--ready-file "$TMP/vt-s.ready" 2>"$TMP/vlan.vlantag-s.log" &
	pb=$!
	PIDS+=("$pb")
	for _ in $(seq 1 50); do
		[ -s "$TMP/vt-c.ready" ] && [ -s "$TMP/vt-s.ready" ] && break
		kill -0 "$pa" 2>/dev/null && kill -0 "$pb" 2>/dev/null || break
		sleep 0.1
	done
	if ! [ -s "$TMP/vt-c.ready" ] || ! [ -s "$TMP/vt-s.ready" ]; then
		cat "$TMP"/vlan.vlantag-*.log >&2
		die "vlan: vlantag did not start (kernel without tcx/eBPF?)"
	fi
	start_capture vlan "$NSC" vc "vlan 42 and tcp"
	start_server vlan "$S4" 7017 --recv 32 --send 64 --wait-close --close-delay 300
	run_client vlan 0 "$S4" 7017 --bind "$C4:40017" --send 32 --recv 64 --close-first
	finish_server vlan 0
	end_capture vlan
	kill -TERM "$pa" "$pb" 2>/dev/null
	wait_pid "$pa" 5 >/dev/null 2>&1
	wait_pid "$pb" 5 >/dev/null 2>&1
	publish vlan
}

full_parallel() {
	# 200 client processes (peer --parallel), ports 41000-41199, all call
	# connect() at the same moment; one server (backlog 256) answers them
	# one after the other.  Direct path, client-close, no close delay.
	local t
	start_capture parallel
	start_server parallel "$S4" 7018 --count 200 --backlog 256 --recv 32 \
		--send 64 --wait-close --timeout 10 --quiet
	t=$(( $(date +%s%3N) + 700 ))
	run_client parallel 0 "$S4" 7018 --bind "$C4:41000" --parallel 200 \
		--connect-at "$t" --send 32 --recv 64 --close-first --timeout 10 --quiet
	finish_server parallel 0
	end_capture parallel 1
	publish parallel
}

imp_backlog() {        # name
	local name=$1 t rc=0 rca=0 apid
	# listen(fd, 1) and never accept(); the listener is closed after 5 s
	start_server "$name" "$S4I" 7019 --backlog 1 --no-accept --timeout 5
	# client A connects alone first and sits in the accept queue; it then
	# waits (5 s) for an answer that never comes
	ip netns exec "$NSC" timeout 30 "$PEER" client "$S4I" 7019 \
		--bind "$C4I:42000" --connect-timeout 5 --timeout 5 --recv 64 \
		2>"$TMP/$name.clientA.log" &
	apid=$!
	PIDS+=("$apid")
	sleep 0.3
	# then three clients (42001-42003) call connect() at the same moment
	t=$(( $(date +%s%3N) + 300 ))
	inc timeout 30 "$PEER" client "$S4I" 7019 --bind "$C4I:42001" --parallel 3 \
		--connect-at "$t" --connect-timeout 5 --timeout 5 --recv 64 \
		2>"$TMP/$name.client.log" || rc=$?
	wait_pid "$apid" 10 || rca=$?
	# expected: A and one of the three reset when the listener closes (4),
	# the others time out (3): none of them is ever served
	log "  backlog: client A exited $rca, the three others: $(tail -n 1 "$TMP/$name.client.log")"
	finish_server "$name" 0
}
full_backlog() {
	# Without SYN cookies the listener keeps state for every handshake it
	# answers, so a dropped third ACK shows as SYN-ACK retransmissions (with
	# cookies, the default, the overflowing clients get stateless cookie
	# SYN-ACKs and nothing is retransmitted by the server).  Only for this
	# scenario.
	local old
	old=$(ins sysctl -n net.ipv4.tcp_syncookies)
	ins sysctl -qw net.ipv4.tcp_syncookies=0 >/dev/null
	# 30 ms each way so that the three simultaneous SYNs all reach the
	# listener before any third ACK does
	impaired_run backlog 1 imp_backlog --delay-ms 30
	ins sysctl -qw "net.ipv4.tcp_syncookies=$old" >/dev/null
	publish backlog
}

full_fin-wait2-timeout() {
	# Direct path.  The client closes first and its FIN is acked; its
	# orphaned FIN_WAIT_2 socket lives only tcp_fin_timeout (2 s, client
	# netns only, this scenario only).  The server closes 3.5 s after the
	# client's FIN, when the client's kernel has no socket for the 4-tuple
	# any more: it answers the server's FIN with a bare RST.
	local old
	old=$(inc sysctl -n net.ipv4.tcp_fin_timeout)
	inc sysctl -qw net.ipv4.tcp_fin_timeout=2 >/dev/null
	start_capture fin-wait2-timeout
	start_server fin-wait2-timeout "$S4" 7020 --recv 32 --send 64 --wait-close \
		--close-delay 3500
	run_client fin-wait2-timeout 0 "$S4" 7020 --bind "$C4:40020" --send 32 \
		--recv 64 --close-first
	finish_server fin-wait2-timeout 0
	end_capture fin-wait2-timeout
	inc sysctl -qw "net.ipv4.tcp_fin_timeout=$old" >/dev/null
	publish fin-wait2-timeout
}

full_one-sided() {
	# Direct path, the client-close conversation, but tcpdump keeps only
	# what the client sends (a tap or span port that sees one direction,
	# asymmetric routing): no SYN-ACK, no server segment at all.
	start_capture one-sided "$NSC" vc "tcp and src host $C4"
	start_server one-sided "$S4" 7023 --recv 32 --send 64 --wait-close \
		--close-delay 300
	run_client one-sided 0 "$S4" 7023 --bind "$C4:40023" --send 32 \
		--recv 64 --close-first
	finish_server one-sided 0
	end_capture one-sided
	publish one-sided
}

full_icmp-reject() {
	# Direct path; nft in the server netns rejects SYNs to 7024 with an
	# ICMP port unreachable (nftables' reject for IPv4), as a firewall's
	# REJECT does; the client's kernel gives up on the first one
	# (ECONNREFUSED). tcpdump keeps ICMP too.
	start_capture icmp-reject "$NSC" vc "tcp or icmp"
	run_client icmp-reject 2 "$S4" 7024 --bind "$C4:40024" --send 32
	stop_capture icmp-reject
}

scenario_fragments() {
	# the client's 3,000-byte request leaves without DF; the router cuts
	# its full-sized segments for rb's MTU of 576 (RFC 791 3.2).
	start_server fragments "$S4R" 7025 --recv 3000 --send 64 --wait-close \
		--close-delay 300
	run_client fragments 0 "$S4R" 7025 --bind "$C4R:40025" --no-df \
		--send 3000 --recv 64 --close-first
	finish_server fragments 0
}
full_fragments() {
	# captured on the server's link (vs3): the fragments as they arrive,
	# before the server reassembles them
	start_capture fragments "$NSS" vs3
	scenario_fragments
	stop_capture fragments
}

full_router-any() {
	# the fragments conversation (ports 40026 -> 7026), captured on the
	# router with -i any as Linux cooked v2: every segment twice, from ra
	# (HOST on the way in) and rb (OUTGOING on the way out; the client's
	# full-sized segments as fragments there)
	start_capture router-any "$NSR" any tcp "-y LINUX_SLL2 -B 8192"
	start_server router-any "$S4R" 7026 --recv 3000 --send 64 --wait-close \
		--close-delay 300
	run_client router-any 0 "$S4R" 7026 --bind "$C4R:40026" --no-df \
		--send 3000 --recv 64 --close-first
	finish_server router-any 0
	stop_capture router-any
}

full_router-ifaces() {
	# a short exchange on the routed path (ports 40027 -> 7027), captured
	# on the router by dumpcap on both its interfaces at once into one
	# pcapng file of two (-f tcp -i ra -i rb: the filter before the
	# interfaces is every one's): every segment twice, in on ra or
	# rb and out on the other, TTL one less, the same IPv4
	# identification. 300 and 64 bytes: below rb's MTU of 576, so no
	# fragments (and DF stays set).
	command -v dumpcap >/dev/null 2>&1 ||
		die "router-ifaces: dumpcap not found (apt-get install tshark)"
	local name=router-ifaces
	rm -f "$TMP/$name.pcapng"
	ip netns exec "$NSR" env --default-signal=INT \
		dumpcap -q -f tcp -i ra -i rb -w "$TMP/$name.pcapng" \
		>"$TMP/$name.dumpcap.log" 2>&1 &
	CAP_PID=$!
	PIDS+=("$CAP_PID")
	capture_started dumpcap "$TMP/$name.dumpcap.log" 'Capturing on'
	sleep 0.5
	start_server "$name" "$S4R" 7027 --recv 300 --send 64 --wait-close \
		--close-delay 300
	run_client "$name" 0 "$S4R" 7027 --bind "$C4R:40027" --send 300 \
		--recv 64 --close-first
	finish_server "$name" 0
	sleep 0.5
	kill -INT "$CAP_PID" 2>/dev/null
	wait_pid "$CAP_PID" 5 || echo "run.sh: dumpcap exit status $?" >&2
	CAP_PID=""
	[ -s "$TMP/$name.pcapng" ] || die "$name: empty capture"
	cp -- "$TMP/$name.pcapng" "$OUT_DIR/.$name.pcapng.tmp" &&
		chmod 644 "$OUT_DIR/.$name.pcapng.tmp" &&
		mv -f -- "$OUT_DIR/.$name.pcapng.tmp" "$OUT_DIR/$name.pcapng" ||
		die "$name: cannot write $OUT_DIR/$name.pcapng"
}

imp_upstream_loss() {  # name
	# a 1,000,000-byte download (MSS 1448: 691 segments), client-close
	start_server "$1" "$S4I" 7021 --recv 32 --send 1000000 --wait-close \
		--close-delay 300
	run_client "$1" 0 "$S4I" 7021 --bind "$C4I:40021" --send 32 --recv 1000000 \
		--close-first
	finish_server "$1" 0
}
full_upstream-loss() {
	# Server data segments 40, 42, 44, 46 and 48 are dropped in the middle,
	# so the capture (vc2, after impair for server -> client) never shows
	# those originals, only their retransmissions.  The rules go from the
	# highest nth down: a frame a rule drops is not counted by the rules
	# after it, so each nth counts the server's data segments as sent.
	# 30 ms each way: the five drops fall in one flight (slow start sends
	# segments 31-70 in the third round trip), so five holes are open at
	# once, and RACK's reordering window (min_rtt/4) keeps the
	# retransmissions to the lost segments.
	impaired_run upstream-loss 1 imp_upstream_loss --delay-ms 30 \
		--drop 'dir=ba,payload=yes,nth=48' --drop 'dir=ba,payload=yes,nth=46' \
		--drop 'dir=ba,payload=yes,nth=44' --drop 'dir=ba,payload=yes,nth=42' \
		--drop 'dir=ba,payload=yes,nth=40'
	publish upstream-loss
}

imp_tfo() {            # name
	# connection 1 (40022) asks for a Fast Open cookie and gets it in the
	# SYN-ACK; connection 2 (40122) sends its 32 bytes in the SYN.  One
	# server per connection, so the two never overlap.
	start_server "$1" "$S4I" 7022 --fastopen --recv 32 --send 64 --wait-close \
		--close-delay 300
	run_client "$1" 0 "$S4I" 7022 --bind "$C4I:40022" --fastopen --send 32 \
		--recv 64 --close-first
	finish_server "$1" 0
	start_server "$1" "$S4I" 7022 --fastopen --recv 32 --send 64 --wait-close \
		--close-delay 300
	run_client "$1" 0 "$S4I" 7022 --bind "$C4I:40122" --fastopen --send 32 \
		--recv 64 --close-first
	finish_server "$1" 0
}
full_tfo-synack-lost() {
	# TCP Fast Open in both namespaces (3 = client and server), this
	# scenario only.  The server's first two SYN-ACKs of connection 2 (they
	# ack the SYN and its data) are dropped in the middle: the client
	# retransmits its SYN without the data, and the server's next SYN-ACK
	# (again) acks the SYN and the 32 bytes.
	local oldc olds
	oldc=$(inc sysctl -n net.ipv4.tcp_fastopen)
	olds=$(ins sysctl -n net.ipv4.tcp_fastopen)
	inc sysctl -qw net.ipv4.tcp_fastopen=3 >/dev/null
	ins sysctl -qw net.ipv4.tcp_fastopen=3 >/dev/null
	# count=2: the first SYN-ACK and the next one are dropped.  The next one
	# is whichever comes first of the server's SYN-ACK timer (~1 s) and its
	# answer to the client's retransmitted SYN (also ~1 s): dropping only
	# the first one lets the timer's copy through first in most runs, and
	# the client then never retransmits its SYN.  With two dropped, the
	# client's SYN always goes again before a SYN-ACK gets through.
	impaired_run tfo-synack-lost 1 imp_tfo \
		--drop 'dir=ba,flags=S.,port=40122,nth=1,count=2'
	inc sysctl -qw "net.ipv4.tcp_fastopen=$oldc" >/dev/null
	ins sysctl -qw "net.ipv4.tcp_fastopen=$olds" >/dev/null
	publish tfo-synack-lost
}

# ---------------------------------------------------------------- checks
# Each check gets the shape string and the pcap; prints a reason on failure.
check_client-close() {
	[[ $1 =~ ^\>S\ \<S\.\ \>\. ]] || { echo "no 3-way handshake"; return 1; }
	[[ $1 == *R* ]] && { echo "unexpected RST"; return 1; }
	[[ $1 =~ \>F\.\ \<\.\ \<F\.\ \>\.$ ]] ||
		{ echo "teardown is not: client FIN, ACK, server FIN, final ACK"; return 1; }
	local fins=${1//[^F]/}; [ ${#fins} = 2 ] || { echo "expected 2 FINs"; return 1; }
}
check_ipv6-client-close() {
	tcpdump -nn -r "$2" 2>/dev/null | grep -qv ' IP6 ' && { echo "non-IPv6 packet"; return 1; }
	check_client-close "$@"
}
check_server-close() {
	[[ $1 =~ ^\>S\ \<S\.\ \>\. ]] || { echo "no 3-way handshake"; return 1; }
	[[ $1 == *R* ]] && { echo "unexpected RST"; return 1; }
	[[ $1 =~ \<F\.\ \>\.\ \>F\.\ \<\.$ ]] ||
		{ echo "teardown is not: server FIN, ACK, client FIN, final ACK"; return 1; }
	local fins=${1//[^F]/}; [ ${#fins} = 2 ] || { echo "expected 2 FINs"; return 1; }
}
check_refused() {
	[[ $1 == ">S <R." ]] || { echo "expected '>S <R.'"; return 1; }
}
check_unanswered() {
	[[ $1 =~ ^\>S(\ \>S)+$ ]] || { echo "expected only client SYNs (>= 2)"; return 1; }
	local n
	n=$(tcpdump -nn -S -r "$2" 2>/dev/null | sed -n 's/.* seq \([0-9]*\),.*/\1/p' | sort -u | wc -l)
	[ "$n" = 1 ] || { echo "SYN retransmissions do not share one ISN"; return 1; }
}
check_abort() {
	[[ $1 =~ ^\>S\ \<S\.\ \>\.\ \>P\.32\ .*\>R\.?$ ]] ||
		{ echo "expected handshake, client data, ..., client RST last"; return 1; }
	[[ $1 == *F* ]] && { echo "unexpected FIN"; return 1; }
	return 0
}
check_half-close() {
	[[ $1 =~ ^\>S\ \<S\.\ \>\.\ \>(P\.32\ (\<\.\ )?\>F\.|FP\.32) ]] ||
		{ echo "expected request then client FIN right after the handshake"; return 1; }
	[[ $1 == *R* ]] && { echo "unexpected RST"; return 1; }
	local after=${1#*>F}
	[[ $after =~ \<P\.100.*\<P\.100 ]] || { echo "no server data after client FIN"; return 1; }
	[[ $1 =~ \<F\.?P?\.?[0-9]*\ \>\.$ ]] || { echo "expected server FIN then final client ACK"; return 1; }
}
check_tw-reuse() {
	local syns
	syns=$(tcpdump -nn -S -r "$2" 'tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack == 0' 2>/dev/null)
	[ "$(printf '%s\n' "$syns" | grep -c "IP $C4.40008 > $S4.7008: Flags \[S\]")" = 2 ] ||
		{ echo "expected exactly 2 SYNs from $C4.40008"; return 1; }
	[ "$(printf '%s\n' "$syns" | sed -n 's/.* seq \([0-9]*\),.*/\1/p' | sort -u | wc -l)" = 2 ] ||
		{ echo "the two SYNs should have different ISNs"; return 1; }
	[[ $1 == *R* ]] && { echo "unexpected RST"; return 1; }
	local fins=${1//[^F]/}; [ ${#fins} = 4 ] || { echo "expected 4 FINs"; return 1; }
	# the first connection must be completely closed (client's last ACK)
	# before the second SYN
	[[ $1 =~ \>F\.\ \<\.\ \<F\.\ \>\.\ \>S\ \<S\. ]] ||
		{ echo "second SYN does not follow a complete client-first close"; return 1; }
}

# seq_ge A B: A >= B in 32-bit sequence space
seq_ge() { awk -v a="$1" -v b="$2" 'BEGIN { d = (a - b) % 4294967296; if (d < 0) d += 4294967296; exit !(d < 2147483648) }'; }

check_synack-lost() {
	[[ $1 == *R* ]] && { echo "unexpected RST"; return 1; }
	local syns synacks
	syns=$(pkts "$2" | awk '$1 == ">" && $2 == "S"' | wc -l)
	synacks=$(pkts "$2" | awk '$1 == "<" && $2 == "S."' | wc -l)
	[ "$syns" -ge 2 ] || [ "$synacks" -ge 2 ] ||
		{ echo "neither the SYN nor the SYN-ACK was sent twice"; return 1; }
	[ "$(pkts "$2" | awk '$2 ~ /S/ {print $3}' | sort -u | wc -l)" = 2 ] ||
		{ echo "retransmitted SYN/SYN-ACK changed its ISN"; return 1; }
	[[ $1 =~ \<S\.\ \>\. ]] || { echo "handshake does not complete"; return 1; }
	[[ $1 =~ \>F\.\ \<\.\ \<F\.\ \>\.$ ]] ||
		{ echo "teardown is not: client FIN, ACK, server FIN, final ACK"; return 1; }
}
check_final-ack-lost() {
	[[ $1 == *R* ]] && { echo "unexpected RST"; return 1; }
	[[ $1 =~ \>F\.\ \<\.\ \<F\.\ \>\.\ \<F\.\ \>\.$ ]] ||
		{ echo "expected >F. <. <F. >. <F. >. at the end"; return 1; }
	[ "$(pkts "$2" | awk '$1 == "<" && $2 ~ /F/ {print $3}' | sort -u | wc -l)" = 1 ] ||
		{ echo "the two server FINs differ in seq"; return 1; }
}
check_fin-lost() {
	[[ $1 == *R* ]] && { echo "unexpected RST"; return 1; }
	local n
	n=$(pkts "$2" | awk '$1 == ">" && $2 ~ /F/' | wc -l)
	[ "$n" -ge 2 ] || { echo "the client FIN was not retransmitted"; return 1; }
	[ "$(pkts "$2" | awk '$1 == ">" && $2 ~ /F/ {print $3}' | sort -u | wc -l)" = 1 ] ||
		{ echo "the client FINs differ in seq"; return 1; }
	[[ $1 =~ \<F\.\ \>\.$ ]] || { echo "expected server FIN then final ACK"; return 1; }
}
check_fin-noack() {
	[[ $1 == *R* ]] && { echo "unexpected RST"; return 1; }
	local p
	p=$(pkts "$2")
	# the client's FINs: the first without ACK, the second with, at the
	# same seq; nothing from the server acks the first before the second
	[ "$(awk '$1 == ">" && $2 == "F"' <<<"$p" | wc -l)" = 1 ] ||
		{ echo "expected one client FIN without ACK"; return 1; }
	[ "$(awk '$1 == ">" && $2 ~ /F/ {print $3}' <<<"$p" | sort -u | wc -l)" = 1 ] ||
		{ echo "the client FINs differ in seq"; return 1; }
	[[ $1 =~ \>F\ (\<\.\ )?\>F\.\ \<\.\ \<F\.\ \>\.$ ]] ||
		{ echo "expected >F, >F. <. <F. >. at the end"; return 1; }
}
check_reorder-dup() {
	[[ $1 == *R* ]] && { echo "unexpected RST"; return 1; }
	local r
	# among the server's data segments: "late" = new data below the highest
	# byte already seen (reordered), "dup" = the same seq:len seen before
	r=$(pkts "$2" | awk '$1 == "<" && $5 > 0 {
		k = $3 ":" $5
		if (k in seen) dup++
		else if (n && $3 < maxend) late++
		seen[k] = 1; n++
		if ($3 + $5 > maxend) maxend = $3 + $5
	} END { printf "%d %d", late, dup }')
	[ "${r% *}" -ge 1 ] || { echo "no reordered data segment"; return 1; }
	[ "${r#* }" -ge 1 ] || { echo "no duplicated data segment"; return 1; }
	[[ $1 =~ \<F\.\ \>\.$ ]] || { echo "expected server FIN then final ACK"; return 1; }
	local fins=${1//[^F]/}; [ ${#fins} = 2 ] || { echo "expected 2 FINs"; return 1; }
}
check_simultaneous-close() {
	[[ $1 == *R* ]] && { echo "unexpected RST"; return 1; }
	local cf sf
	cf=$(pkts "$2" | awk '$1 == ">" && $2 ~ /F/')
	sf=$(pkts "$2" | awk '$1 == "<" && $2 ~ /F/')
	[ "$(printf '%s\n' "$cf" | grep -c .)" = 1 ] && [ "$(printf '%s\n' "$sf" | grep -c .)" = 1 ] ||
		{ echo "expected exactly one FIN from each side"; return 1; }
	local cseq cack sseq sack
	read -r _ _ cseq cack _ <<<"$cf"
	read -r _ _ sseq sack _ <<<"$sf"
	# crossed: neither FIN acknowledges the other one
	seq_ge "$cack" $((sseq + 1)) && { echo "client FIN acks the server FIN (not crossed)"; return 1; }
	seq_ge "$sack" $((cseq + 1)) && { echo "server FIN acks the client FIN (not crossed)"; return 1; }
	# ... and both FINs are acknowledged afterwards
	pkts "$2" | awk -v a=$(( (sseq + 1) % 4294967296 )) '$1 == ">" && $4 == a' | grep -q . ||
		{ echo "the server FIN is never acknowledged"; return 1; }
	pkts "$2" | awk -v a=$(( (cseq + 1) % 4294967296 )) '$1 == "<" && $4 == a' | grep -q . ||
		{ echo "the client FIN is never acknowledged"; return 1; }
}
check_simultaneous-open() {
	[[ $1 == *R* ]] && { echo "unexpected RST"; return 1; }
	[[ $1 =~ ^(\>S\ \<S|\<S\ \>S)\ (\>S\.\ \<S\.|\<S\.\ \>S\.) ]] ||
		{ echo "does not start with two SYNs then two SYN-ACKs"; return 1; }
	local p
	p=$(pkts "$2" | head -4)
	[ "$(printf '%s\n' "$p" | awk '$1 == ">" {print $3}' | sort -u | wc -l)" = 1 ] &&
	[ "$(printf '%s\n' "$p" | awk '$1 == "<" {print $3}' | sort -u | wc -l)" = 1 ] ||
		{ echo "a SYN-ACK does not repeat its side's SYN seq"; return 1; }
	local fins=${1//[^F]/}; [ ${#fins} = 2 ] || { echo "expected 2 FINs"; return 1; }
}
check_vlan() {
	local n tagged
	n=$(tcpdump -nn -e -r "$2" 2>/dev/null | wc -l)
	tagged=$(tcpdump -nn -e -r "$2" 2>/dev/null | grep -c 'ethertype 802.1Q (0x8100), length [0-9]*: vlan 42,')
	[ "$n" -gt 0 ] && [ "$n" = "$tagged" ] ||
		{ echo "$tagged of $n frames carry 802.1Q tag 42"; return 1; }
	check_client-close "$@"
}
check_parallel() {
	[[ $1 == *R* ]] && { echo "unexpected RST"; return 1; }
	local syn synack fin ports size
	syn=$(pkts "$2" | awk '$1 == ">" && $2 == "S"' | wc -l)
	synack=$(pkts "$2" | awk '$1 == "<" && $2 == "S."' | wc -l)
	fin=$(pkts "$2" | awk '$2 ~ /F/' | wc -l)
	ports=$(pkts "$2" | awk '$1 == ">" && $2 == "S" {print $6}' | sort -u | wc -l)
	[ "$syn" = 200 ] && [ "$synack" = 200 ] && [ "$ports" = 200 ] ||
		{ echo "expected 200 SYNs / SYN-ACKs from 200 ports, got $syn / $synack / $ports"; return 1; }
	[ "$fin" = 400 ] || { echo "expected 400 FINs, got $fin"; return 1; }
	size=$(stat -c %s "$2")
	[ "$size" -le 400000 ] || { echo "capture too big: $size bytes"; return 1; }
}
check_backlog() {
	local p
	p=$(pkts "$2")
	# the third ACK was dropped: the server sends a SYN-ACK again (same ISN,
	# same client port) after the client had ACKed the first one
	printf '%s\n' "$p" | awk '
		$1 == "<" && $2 == "S." { k = $3 " " $7; if (k in acked) r++; sa[k] = 1; port[$7] = k }
		$1 == ">" && $2 == "." && ($6 in port) { acked[port[$6]] = 1 }
		END { exit !(r > 0) }' ||
		{ echo "no SYN-ACK retransmitted after the client's ACK"; return 1; }
	# the overflowing SYN: a client SYN sent again with the same ISN
	printf '%s\n' "$p" | awk '$1 == ">" && $2 == "S" { if ($3 in s) r++; s[$3] = 1 }
		END { exit !(r > 0) }' ||
		{ echo "no SYN retransmission"; return 1; }
	[ "$(printf '%s\n' "$p" | awk '$1 == ">" && $2 == "S" {print $6}' | sort -u | wc -l)" = 4 ] ||
		{ echo "expected SYNs from 4 client ports"; return 1; }
}
check_fin-wait2-timeout() {
	[[ $1 == ">S <S. >. >P.32 <. <P.64 >. >F. <. <F. >R" ]] ||
		{ echo "expected client-close whose server FIN is answered by a bare RST"; return 1; }
	local p sfack rseq
	p=$(pkts "$2")
	sfack=$(printf '%s\n' "$p" | awk '$1 == "<" && $2 == "F." {print $4}')
	rseq=$(printf '%s\n' "$p" | awk '$1 == ">" && $2 == "R" {print $3}')
	[ -n "$sfack" ] && [ "$sfack" = "$rseq" ] ||
		{ echo "RST seq $rseq is not the server FIN's ack $sfack (a CLOSED port's answer)"; return 1; }
	# the server's FIN came after the client's FIN_WAIT_2 timeout (2 s)
	# measured from the ACK of the client's FIN
	tcpdump -nn -tt -r "$2" 2>/dev/null | awk -v cl="$C4" '
		index($3, cl ".") != 1 && /Flags \[\.\]/ && f { a = $1 }
		index($3, cl ".") == 1 && /Flags \[F\.\]/ { f = 1 }
		index($3, cl ".") != 1 && /Flags \[F\.\]/ { d = $1 - a }
		END { exit !(a && d >= 2.5) }' ||
		{ echo "the server FIN came less than 2.5 s after the ACK of the client FIN"; return 1; }
}
check_upstream-loss() {
	[[ $1 =~ ^\>S\ \<S\.\ \>\.\ \>P\.32\  ]] ||
		{ echo "no handshake then 32-byte request"; return 1; }
	[[ $1 == *R* ]] && { echo "unexpected RST"; return 1; }
	[[ $1 =~ \>F\.\ \<\.\ \<F\.\ \>\.$ ]] ||
		{ echo "teardown is not: client FIN, ACK, server FIN, final ACK"; return 1; }
	local fins=${1//[^F]/}; [ ${#fins} = 2 ] || { echo "expected 2 FINs"; return 1; }
	# the server's data, relative to its ISN, in capture order: a "jump"
	# starts beyond the highest byte so far (a hole: the dropped original),
	# a "fill" is new data below it, a "dup" a seq:len seen before.
	# Expected: five one-segment holes, all open before the first fill,
	# five fills (one per hole), no dup, 1,000,000 bytes in all.
	local r
	r=$(pkts "$2" | awk 'BEGIN { maxend = 1 }     # relative seq of the first byte
		$1 == "<" && $2 == "S." { isn = $3 }
		$1 == "<" && $5 > 0 {
			rel = ($3 - isn + 4294967296) % 4294967296
			k = rel ":" $5
			if (k in seen) dup++
			else if (rel < maxend) { fill++; if (!(rel in hole) || hole[rel] != $5) bad++
				if (!first) first = NR }
			else if (rel > maxend) { jump++; hole[maxend] = rel - maxend; last = NR }
			seen[k] = 1
			if (rel + $5 > maxend) maxend = rel + $5
		}
		END { printf "%d %d %d %d %d %d", jump, fill, dup, bad, maxend, (first > last) }')
	[ "$r" = "5 5 0 0 1000001 1" ] ||
		{ echo "server data: jumps fills dups bad-fills end all-open = $r (want 5 5 0 0 1000001 1)"; return 1; }
}
check_tfo-synack-lost() {
	local c1=">S <S. >. >P.32 <. <P.64 >. >F. <. <F. >."
	local c2=">S32 >S <S. >. <P.64 >. >F. <. <F. >."
	[[ $1 == "$c1 $c2" ]] ||
		{ echo "expected '$c1' then '$c2'"; return 1; }
	local p d
	p=$(pkts "$2")
	[ "$(printf '%s\n' "$p" | awk '$1 == ">" && $2 == "S" {print $6}' | tr '\n' ' ')" = "40022 40122 40122 " ] ||
		{ echo "expected one SYN from 40022, then two from 40122"; return 1; }
	# connection 2: the two SYNs share the ISN J, the SYN-ACK acks J+1+32
	printf '%s\n' "$p" | awk '$6 == 40122 || $7 == 40122' | awk '
		$1 == ">" && $2 == "S" { if (!j) j = $3; else if ($3 != j) bad = 1 }
		$1 == "<" && $2 == "S." { a = $4 }
		END { exit !(!bad && a == (j + 33) % 4294967296) }' ||
		{ echo "connection 2: SYN ISNs differ or the SYN-ACK does not ack J+33"; return 1; }
	# the cookie: requested by 40022, given in its SYN-ACK, sent by 40122
	d=$(tcpdump -nn -r "$2" 2>/dev/null)
	grep -q '40022 > .*Flags \[S\],.*tfo  cookiereq' <<<"$d" ||
		{ echo "connection 1's SYN does not ask for a TFO cookie"; return 1; }
	local ck
	ck=$(sed -n 's/.* > 10\.77\.1\.1\.40022: Flags \[S\.\].*tfo  cookie \([0-9a-f]*\).*/\1/p' <<<"$d")
	[ -n "$ck" ] || { echo "connection 1's SYN-ACK carries no TFO cookie"; return 1; }
	[ "$(grep -c "40122 > .*Flags \[S\],.*tfo  cookie $ck.*length 32" <<<"$d")" = 1 ] ||
		{ echo "connection 2's first SYN does not carry the cookie and 32 bytes"; return 1; }
}
check_icmp-reject() {
	local out
	out=$(tcpdump -nn -r "$2" 2>/dev/null)
	[ "$(printf '%s\n' "$out" | wc -l)" = 2 ] ||
		{ echo "expected 2 packets"; return 1; }
	printf '%s\n' "$out" | sed -n 1p | grep -q "IP $C4.40024 > $S4.7024: Flags \[S\]" ||
		{ echo "expected the client's SYN first"; return 1; }
	printf '%s\n' "$out" | sed -n 2p | grep -q "IP $S4 > $C4: ICMP $S4 tcp port 7024 unreachable" ||
		{ echo "expected an ICMP port unreachable from the server"; return 1; }
}
check_one-sided() {
	# the client's half of a client-close: SYN, the third segment, the
	# request, then (the 64-byte answer's ACK may ride on the FIN) its
	# FIN and the final ACK; nothing from the server
	[[ $1 =~ ^\>S\ \>\.\ \>P\.32\ (\>\.\ )?\>F\.\ \>\.$ ]] ||
		{ echo "expected only the client's SYN, ACK, request, FIN and final ACK"; return 1; }
	[[ $1 == *"<"* ]] && { echo "a server segment was captured"; return 1; }
	# the third segment acks K+1 of a SYN-ACK the capture does not hold:
	# its ack is one past the ack of nothing (checked: the request's ack
	# is the same, the server had sent no data before it)
	local p
	p=$(pkts "$2")
	[ "$(printf '%s\n' "$p" | awk 'NR == 2 || NR == 3 {print $4}' | sort -u | wc -l)" = 1 ] ||
		{ echo "the third segment and the request ack different numbers"; return 1; }
}

check_fragments() {
	# 3,000 bytes in segments of 1,448 (MSS 1460 less the timestamps):
	# two full ones, each a 1,480-byte IP payload cut into 552, 552 and
	# 376 (576 - 20, down to a multiple of 8), and 104 bytes whole.
	local v first later
	v=$(tcpdump -nn -v -r "$2" 2>/dev/null)
	first=$(grep -c "offset 0, flags \[+\], proto TCP (6), length 572" <<<"$v")
	later=$(grep -Ec "offset (552|1104), flags \[(\+|none)\], proto TCP" <<<"$v")
	[ "$first" -ge 2 ] ||
		{ echo "expected 2 or more segments cut into fragments, got $first"; return 1; }
	[ "$later" = $((2 * first)) ] ||
		{ echo "expected 2 later fragments a segment, got $later for $first"; return 1; }
	[[ $1 =~ ^\>S\ \<S\.\ \>\. ]] || { echo "no 3-way handshake"; return 1; }
	[[ $1 == *R* ]] && { echo "unexpected RST"; return 1; }
	return 0
}

check_router-any() {
	# Linux cooked v2, two interfaces; each segment in on one and out on
	# the other: as many frames in as out, but for the fragments (each
	# full-sized client segment in whole, out in 3 pieces)
	local v ins outs frags
	v=$(tcpdump -nn -e -r "$2" 2>/dev/null)
	[ "$(tcpdump -r "$2" 2>&1 >/dev/null | grep -c LINUX_SLL2)" = 1 ] ||
		{ echo "expected a Linux cooked v2 capture"; return 1; }
	ins=$(grep -c " In " <<<"$v")
	outs=$(grep -c " Out " <<<"$v")
	frags=$(tcpdump -nn -v -r "$2" 2>/dev/null | grep -Ec "offset (552|1104), flags")
	[ "$(grep -o 'ifindex [0-9]*' <<<"$v" | sort -u | wc -l)" = 2 ] ||
		{ echo "expected two interfaces"; return 1; }
	[ "$frags" -ge 4 ] && [ "$outs" = $((ins + frags)) ] ||
		{ echo "expected each segment in and out: $ins in, $outs out, $frags later fragments"; return 1; }
	return 0
}

check_router-ifaces() {
	# pcapng, two Ethernet interfaces (ra, rb); each segment in on one
	# and out on the other: the same segments on both, TTL 64 in, 63 out
	local v n0 n1
	v=$(tshark -n -r "$2" -T fields -e frame.interface_id -e ip.ttl \
	    -e tcp.seq_raw -e tcp.ack_raw -e tcp.flags 2>/dev/null)
	[ "$(capinfos -I "$2" 2>/dev/null | grep -c 'Encapsulation = Ethernet')" = 2 ] ||
		{ echo "expected a pcapng file of two Ethernet interfaces"; return 1; }
	n0=$(awk '$1 == 0' <<<"$v" | wc -l)
	n1=$(awk '$1 == 1' <<<"$v" | wc -l)
	[ "$n0" -ge 8 ] && [ "$n0" = "$n1" ] ||
		{ echo "expected each segment on both interfaces: $n0 and $n1"; return 1; }
	[ "$(awk '{print $3, $4, $5}' <<<"$v" | sort | uniq -c | awk '$1 != 2' | wc -l)" = 0 ] ||
		{ echo "a segment not seen exactly twice"; return 1; }
	[ "$(awk '$2 == 64' <<<"$v" | wc -l)" = "$n0" ] ||
		{ echo "expected half the frames with TTL 64 (in), half 63 (out)"; return 1; }
	# (in file order, which is dumpcap's: a buffer of each interface)
	[ "$(grep -o '>S ' <<<"$1 " | wc -l)" = 2 ] &&
	    [ "$(grep -o '<S\. ' <<<"$1 " | wc -l)" = 2 ] ||
		{ echo "expected the SYN and the SYN-ACK twice each"; return 1; }
	[[ $1 == *R* ]] && { echo "unexpected RST"; return 1; }
	return 0
}

# ---------------------------------------------------------------- main
FAILED=""
for s in $SCENARIOS; do
	log "scenario $s"
	if declare -F "full_$s" >/dev/null; then
		"full_$s"               # runs its own capture(s) and publishes
	else
		start_capture "$s"
		"scenario_$s"
		stop_capture "$s"
	fi
	cap=$OUT_DIR/$s.pcap
	[ -e "$OUT_DIR/$s.pcapng" ] && [ ! -e "$cap" ] && cap=$OUT_DIR/$s.pcapng
	shp=$(shape "$cap")
	if [ ${#shp} -gt 200 ]; then
		printf '   %-18s %s ... (%s packets)\n' "$s" "${shp:0:150}" \
			"$(wc -w <<<"$shp")" >&2
	else
		printf '   %-18s %s\n' "$s" "$shp" >&2
	fi
	if why=$("check_$s" "$shp" "$cap"); then
		printf '   %-18s ok\n' "" >&2
	else
		printf '   %-18s SHAPE MISMATCH: %s\n' "" "$why" >&2
		FAILED="$FAILED $s"
	fi
done

if [ -n "$FAILED" ]; then
	echo "run.sh: captures with unexpected shape:$FAILED" >&2
	exit 1
fi
log "all captures written to $OUT_DIR"
exit 0
