#!/bin/sh
# The files synfin writes (-o, -w), as root, in a directory other users can
# write to: a symbolic link planted there is not followed, a file of
# another user (or a hard link) is not overwritten, a fresh name is written.
# As any other user nothing changes. Root only; skipped (77) otherwise.
set -u
: "${SYNFIN:=./synfin}" "${srcdir:=.}"
case $SYNFIN in /*) ;; *) SYNFIN=$PWD/$SYNFIN ;; esac
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root (the checks guard what root writes)"
	exit 77
fi
t=$(mktemp -d)
N=
trap 'rm -rf "$t"; [ -n "$N" ] && ip netns del "$N" 2>/dev/null' EXIT
. "$srcdir/tests/lib.sh"
cc="$(cd "$srcdir" && pwd)/pcaps/client-close.pcap"
chmod 711 "$t"
echo precious >"$t/target"
# A shared directory like /tmp (world-writable, sticky), not /tmp itself.
d="$t/shared"
mkdir "$d" && chmod 1777 "$d" || exit 1

# A symbolic link to a file of root's: refused, the file untouched.
ln -s "$t/target" "$d/link"
expect 2 "symlink in a shared directory" -- "$SYNFIN" -r "$cc" -o "$d/link"
grep -q "is a symbolic link" "$t/err" && ok || bad "symlink message: $(cat "$t/err")"
[ "$(cat "$t/target")" = precious ] && ok || bad "the symlink's target was written"
# A dangling one would make root create the file it points to.
ln -s "$t/created" "$d/dangling"
expect 2 "dangling symlink" -- "$SYNFIN" -r "$cc" -o "$d/dangling"
[ ! -e "$t/created" ] && ok || bad "root created the dangling symlink's target"
# Relative to the current directory, too.
expect 2 "symlink, relative path" -- sh -c "cd \"$d\" && exec \"$SYNFIN\" -r \"$cc\" -o link"
grep -q "link: is a symbolic link, in the current directory" "$t/err" && ok || bad "relative symlink message: $(cat "$t/err")"

# A file of another user (the protected_regular attack): refused, kept.
echo theirs >"$d/theirs"
chown nobody "$d/theirs"
expect 2 "another user's file" -- "$SYNFIN" -r "$cc" -o "$d/theirs"
grep -q "belongs to another user (owner nobody" "$t/err" && ok || bad "owner message: $(cat "$t/err")"
[ "$(cat "$d/theirs")" = theirs ] && ok || bad "another user's file was written"
# A hard link to root's file: root's, but not only there.
ln "$t/target" "$d/hard"
expect 2 "hard link" -- "$SYNFIN" -r "$cc" -o "$d/hard"
[ "$(cat "$t/target")" = precious ] && ok || bad "the hard link's file was written"
# A FIFO: not waited on, refused.
mkfifo "$d/fifo"
expect 2 "FIFO" -- timeout 10 "$SYNFIN" -r "$cc" -o "$d/fifo"

# A fresh name is written, owned by root; so is root's own file again.
expect 0 "fresh file" -- "$SYNFIN" -F json -r "$cc" -o "$d/fresh"
grep -q '"type":"summary"' "$d/fresh" && ok || bad "fresh file has no report"
[ "$(stat -c %u "$d/fresh")" = 0 ] && ok || bad "fresh file not root's"
expect 0 "root's own file" -- "$SYNFIN" -F json -r "$cc" -o "$d/fresh"
[ "$(grep -c '"type":"conn"' "$d/fresh")" -eq 1 ] && ok || bad "root's own file not truncated and rewritten"
# A directory only root can write to is not shared: as before.
ln -s "$t/target" "$t/rootlink"
expect 0 "symlink in root's own directory" -- "$SYNFIN" -r "$cc" -o "$t/rootlink"
grep -q "client-close\|10.77.0.1" "$t/target" && ok || bad "root's own symlink not followed"
echo precious >"$t/target"
# So is a directory of another user: their files may be written (they
# could write them anyway), anyone else's may not.
u="$t/users"
mkdir "$u" && chown nobody "$u" || exit 1
echo mine >"$u/mine" && chown nobody "$u/mine"
expect 0 "the directory owner's file" -- "$SYNFIN" -r "$cc" -o "$u/mine"
ln -s "$t/target" "$u/link"
expect 2 "symlink in another user's directory" -- "$SYNFIN" -r "$cc" -o "$u/link"
[ "$(cat "$t/target")" = precious ] && ok || bad "symlink in another user's directory followed"

# Any other user: unchanged (their own symlink in a shared directory is
# followed, as fopen does).
if command -v setpriv >/dev/null 2>&1; then
	asnobody() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"; }
	expect 0 "nobody, fresh file" -- asnobody "$SYNFIN" -r "$cc" -o "$d/nobodys"
	[ "$(stat -c %U "$d/nobodys")" = nobody ] && ok || bad "nobody's file owner"
	asnobody ln -s "$d/nobodys" "$d/nobodys-link"
	expect 0 "nobody, its own symlink" -- asnobody "$SYNFIN" -F csv -r "$cc" -o "$d/nobodys-link"
	head -1 "$d/nobodys" | grep -q '^id,' && ok || bad "nobody's symlink not followed"
else
	echo "note: no setpriv, the non-root case is not checked"
fi

# Live capture: -o and -w go through the same checks (a network namespace
# of our own with only its loopback, so nothing else is captured).
if command -v ip >/dev/null 2>&1 && ip netns add "sfo-$$" 2>/dev/null; then
	N="sfo-$$"
	ip -n "$N" link set lo up
	expect 2 "live -o symlink" -- timeout 10 ip netns exec "$N" "$SYNFIN" -i lo -o "$d/link"
	grep -q "is a symbolic link" "$t/err" && ok || bad "live -o message: $(cat "$t/err")"
	expect 2 "live -w symlink" -- timeout 10 ip netns exec "$N" "$SYNFIN" -i lo -w "$d/link"
	grep -q "^synfin: -w .*is a symbolic link" "$t/err" && ok || bad "live -w message: $(cat "$t/err")"
	expect 2 "live -w another user's file" -- timeout 10 ip netns exec "$N" "$SYNFIN" -i lo -w "$d/theirs"
	[ "$(cat "$t/target")" = precious ] && [ "$(cat "$d/theirs")" = theirs ] && ok || bad "live: a refused file was written"
else
	echo "note: no network namespace, the live -o/-w cases are not checked"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
