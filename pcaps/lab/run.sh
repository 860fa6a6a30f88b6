#!/usr/bin/env bash
# pcaps/lab/run.sh - regenerate synfin's reference captures in pcaps/.
#
# Usage: run.sh [scenario ...]        (default: all scenarios)
#        run.sh --list
#
# Builds two private network namespaces (sf-cli-<pid>, sf-srv-<pid>) joined
# by one veth pair (10.77.0.1/24 + fd77::1/64 <-> 10.77.0.2/24 + fd77::2/64),
# compiles peer.c into a temp dir, and for every scenario runs tcpdump in the
# client namespace while lab/peer plays client and server.  Each capture is
# written to pcaps/<scenario>.pcap (overwritten).  No traffic ever leaves the
# two namespaces; the host's interfaces and routes are never touched.
#
# Exit status: 0 all captures written and their shape checked, 1 a scenario
# failed or its capture does not have the expected shape, 77 cannot run here
# (not root, no `ip netns`, missing tool).

set -u -o pipefail

LAB_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
OUT_DIR=$(dirname -- "$LAB_DIR")            # .../pcaps

ALL_SCENARIOS="client-close server-close refused unanswered abort half-close
ipv6-client-close tw-reuse"

# ---------------------------------------------------------------- addresses
C4=10.77.0.1   S4=10.77.0.2
C6=fd77::1     S6=fd77::2
# Port plan: scenario N uses server port 700N and client port 4000N.

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
	for ns in "$NSC" "$NSS"; do
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

for ns in "$NSC" "$NSS"; do
	ip netns list | grep -qw -- "$ns" && die "namespace $ns already exists"
done

TMP=$(mktemp -d /tmp/synfin-lab.XXXXXX) || die "mktemp failed"
PEER="$TMP/peer"

log "building peer"
gcc -std=c11 -Wall -Wextra -Werror -O2 -o "$PEER" "$LAB_DIR/peer.c" ||
	die "cannot build peer.c"

# ---------------------------------------------------------------- topology
# run a command in the client / server namespace.  Foreground use only: a
# backgrounded shell function would make $! the pid of a subshell, so
# background jobs call `ip netns exec` directly (it execs, keeping the pid).
inc() { ip netns exec "$NSC" "$@"; }
ins() { ip netns exec "$NSS" "$@"; }

log "creating namespaces $NSC / $NSS"
ip netns add "$NSC" || die "ip netns add $NSC"
ip netns add "$NSS" || die "ip netns add $NSS"
# create the veth inside the client netns, peer end straight into the server
# netns: nothing is ever created in the caller's namespace.
ip -n "$NSC" link add vc type veth peer name vs netns "$NSS" ||
	die "cannot create veth pair"

setup_ns() {    # ns dev addr4 addr6
	local ns=$1 dev=$2 a4=$3 a6=$4
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
	if [ "$HAVE_ETHTOOL" = 1 ]; then
		# veth defaults to checksum offload: locally sent packets would be
		# captured with partial (wrong) TCP checksums.  Turn it off so the
		# pcaps carry real checksums.
		local f
		for f in tx sg tso gso gro; do
			ip netns exec "$ns" ethtool -K "$dev" "$f" off >/dev/null 2>&1
		done
	fi
	ip -n "$ns" link set "$dev" up || die "link up $dev"
}
setup_ns "$NSC" vc "$C4" "$C6"
setup_ns "$NSS" vs "$S4" "$S6"
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
# unanswered: the server netns silently drops SYNs to port 7004
ins nft -f - <<'EOF' || die "nft setup failed"
table inet sflab {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 7004 drop
	}
}
EOF

# wait (bounded) for IPv4 + IPv6 on the link: carrier up, addresses usable
for _ in $(seq 1 50); do
	if ip -n "$NSC" -6 addr show dev vc | grep -q 'fd77::1' &&
	   ! ip -n "$NSC" -6 addr show dev vc | grep -q tentative &&
	   ip -n "$NSC" link show vc | grep -q 'LOWER_UP'; then
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

start_capture() {   # name
	local name=$1
	rm -f "$TMP/$name.pcap"
	# -U: write each packet as it arrives; -Z root: keep privileges so the
	# temp dir is writable; default snaplen; only TCP (no ARP/ND noise).
	# --immediate-mode: hand every packet to tcpdump at once (otherwise the
	# TPACKET_V3 ring holds them for up to 1 s and a SIGINT stop loses the
	# tail of the capture).
	# Background jobs of a non-interactive shell inherit SIGINT as ignored;
	# env --default-signal=INT restores it so tcpdump can be stopped cleanly.
	ip netns exec "$NSC" env --default-signal=INT \
		tcpdump -i vc -nn -U --immediate-mode -Z root -w "$TMP/$name.pcap" tcp \
		>"$TMP/$name.tcpdump.log" 2>&1 &
	CAP_PID=$!
	PIDS+=("$CAP_PID")
	for _ in $(seq 1 50); do
		grep -q 'listening on' "$TMP/$name.tcpdump.log" 2>/dev/null && break
		kill -0 "$CAP_PID" 2>/dev/null || break
		sleep 0.1
	done
	grep -q 'listening on' "$TMP/$name.tcpdump.log" ||
		die "tcpdump did not start: $(cat "$TMP/$name.tcpdump.log")"
	sleep 0.2
}

stop_capture() {    # name
	local name=$1
	sleep 0.5                       # settle: let the last ACK go out
	kill -INT "$CAP_PID" 2>/dev/null
	wait_pid "$CAP_PID" 5 || echo "run.sh: tcpdump exit status $?" >&2
	CAP_PID=""
	[ -s "$TMP/$name.pcap" ] || die "$name: empty capture"
	cp -- "$TMP/$name.pcap" "$OUT_DIR/.$name.pcap.tmp" &&
		chmod 644 "$OUT_DIR/.$name.pcap.tmp" &&
		mv -f -- "$OUT_DIR/.$name.pcap.tmp" "$OUT_DIR/$name.pcap" ||
		die "$name: cannot write $OUT_DIR/$name.pcap"
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
shape() {
	tcpdump -nn -t -r "$1" 2>/dev/null | awk -v c4="$C4" -v c6="$C6" '
	{
		src = $2; sub(/\.[0-9]+$/, "", src)
		dir = (src == c4 || src == c6) ? ">" : "<"
		fl = $0; sub(/.*Flags \[/, "", fl); sub(/\].*/, "", fl)
		len = $0; n = 0
		if (match(len, /length [0-9]+/)) n = substr(len, RSTART + 7, RLENGTH - 7) + 0
		printf "%s%s%s%s", (NR > 1 ? " " : ""), dir, fl, (n ? n : "")
	}
	END { print "" }'
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

# ---------------------------------------------------------------- main
FAILED=""
for s in $SCENARIOS; do
	log "scenario $s"
	start_capture "$s"
	"scenario_$s"
	stop_capture "$s"
	shp=$(shape "$OUT_DIR/$s.pcap")
	printf '   %-18s %s\n' "$s" "$shp" >&2
	if why=$("check_$s" "$shp" "$OUT_DIR/$s.pcap"); then
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
