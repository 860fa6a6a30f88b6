#!/usr/bin/env python3
"""Conformance of synfin's zeek.conn_state against Zeek's own conn.log.

The corpus (../shared/corpus/zeek beside the repository, see its INDEX.md)
holds pcaps from Zeek's test suite with the btest baseline conn.log Zeek
wrote for each.  For every baseline with a conn_state column, this runs

    synfin -F json -r TRACE [--verify-checksums]

(--verify-checksums when Zeek ran without -C, i.e. verified checksums),
pairs synfin's connections with Zeek's rows and counts how many agree on
conn_state.  Pairing is by the unordered 4-tuple and, within one 4-tuple,
by order of start: Zeek writes rows in removal order, which for one
4-tuple is start order; the ts column is masked in every baseline, and is
used to sort only when it is not.

Tunnel traces (Teredo, GTP) are reported apart and left out of the
figure: the connections inside the tunnel (which synfin decodes) are
compared like any other, but their outer connections end by Zeek's own
timers (see README).  Baselines without a
conn_state column, and the history/conn_state prints of other tests, are
shown as information only.

Exit status: 0 when at least 90% of the connections agree, 1 otherwise,
77 (automake's SKIP) when the corpus is absent.  The last line is always
"N passed, M failed" (agreeing / disagreeing connections), which CI reads.

Python 3 standard library only.
"""

import argparse
import ipaddress
import json
import os
import re
import subprocess
import sys

THRESHOLD = 0.90
SYNFIN_TIMEOUT = 300  # seconds per trace

# Column names some baselines use instead of Zeek's id.* names
# (field-name-map2.zeek renames them).
COLUMN_ALIASES = {
    "src_ip": "id.orig_h",
    "src_port": "id.orig_p",
    "dst_ip": "id.resp_h",
    "dst_port": "id.resp_p",
}

# Baseline variants that need a different synfin invocation, or none.
#  - ignore-checksum-nets: Zeek verified checksums but not for the
#    capture's own network, which here is every bad packet: the same as
#    running synfin without verification.
#  - timers-limited: Zeek ran with a starved timer manager, so its
#    inactivity timeout fired late and the connection was not split;
#    that is an artefact of Zeek's timer budget with no synfin option to
#    match, so it is not compared.
VARIANT_VERIFY_OFF = ("ignore-checksum-nets",)
VARIANT_SKIP = {
    "timers-limited": "Zeek's starved timer manager (max_timer_expires), "
                      "no synfin equivalent",
}


def repo_root():
    return os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))


def norm_addr(a):
    try:
        return str(ipaddress.ip_address(a))
    except ValueError:
        return a


def tuple_key(h1, p1, h2, p2):
    """The unordered 4-tuple."""
    return frozenset({(norm_addr(h1), int(p1)), (norm_addr(h2), int(p2))})


def fmt_tuple(h1, p1, h2, p2):
    return "%s:%s -> %s:%s" % (h1, p1, h2, p2)


# ---- the corpus index ---------------------------------------------------

def parse_index(corpus):
    """Section A of INDEX.md: trace -> (invocation text, baseline names).

    Only the facts the comparison needs are taken: whether Zeek ran with
    -C (no checksum verification) and whether the trace is a tunnel.
    """
    info = {}
    path = os.path.join(corpus, "INDEX.md")
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return info
    section = None
    for line in text.splitlines():
        if line.startswith("## "):
            section = line[3:4]
            continue
        if section != "A" or not line.startswith("| `traces/"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 8:
            continue
        trace = cells[0].strip("`")
        invocation = cells[6]
        info[trace] = {
            "no_verify": re.search(r"(^|\s)-C(\s|$|\))", invocation)
            is not None,
            "tunnel": "/tunnels/" in trace,
            "what": cells[4],
        }
    return info


def find_baselines(corpus):
    """Every <stem>[.<variant>].conn.log with its trace beside it."""
    out = []
    for dirpath, _dirs, files in os.walk(os.path.join(corpus, "traces")):
        traces = {}
        for f in files:
            m = re.match(r"^(.*)\.(pcap|pcapng|trace)$", f)
            if m:
                traces[m.group(1)] = f
        for f in sorted(files):
            if not f.endswith(".conn.log"):
                continue
            base = f[:-len(".conn.log")]
            stem, variant = base, None
            if stem not in traces and "." in base:
                stem, variant = base.split(".", 1)
                # stems may hold dots themselves (ssh.client-side-...)
                while stem not in traces and "." in variant:
                    extra, variant = variant.split(".", 1)
                    stem = stem + "." + extra
            if stem not in traces:
                continue
            out.append({
                "log": os.path.join(dirpath, f),
                "pcap": os.path.join(dirpath, traces[stem]),
                "rel": os.path.relpath(os.path.join(dirpath, traces[stem]),
                                       corpus),
                "variant": variant,
            })
    out.sort(key=lambda b: (b["rel"], b["variant"] or ""))
    return out


# ---- Zeek's conn.log ----------------------------------------------------

KNOWN_COLUMNS = {"ts", "uid", "id.orig_h", "conn_state", "history", "proto"}


def parse_conn_log(path):
    """(columns, rows as dicts) of a conn.log or a zeek-cut'ed baseline."""
    cols, rows = None, []
    with open(path, encoding="utf-8", errors="replace") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line:
                continue
            if line.startswith("#fields"):
                cols = line.split("\t")[1:]
                continue
            if line.startswith("#"):
                continue
            fields = line.split("\t")
            if cols is None:
                names = [COLUMN_ALIASES.get(x, x) for x in fields]
                if KNOWN_COLUMNS & set(names):
                    cols = fields   # a zeek-cut header line
                    continue
                return None, []     # no header at all: unusable
            rows.append(dict(zip(cols, fields)))
    if cols is None:
        return None, []
    cols = [COLUMN_ALIASES.get(c, c) for c in cols]
    rows = [{COLUMN_ALIASES.get(k, k): v for k, v in r.items()} for r in rows]
    return cols, rows


def zeek_tcp_rows(cols, rows):
    out = []
    for r in rows:
        if "proto" in cols and r.get("proto") != "tcp":
            continue
        out.append(r)
    return out


def ts_masked(rows):
    return any("X" in r.get("ts", "X") for r in rows)


# ---- synfin -------------------------------------------------------------

def run_synfin(synfin, pcap, verify):
    cmd = [synfin, "-F", "json", "-q", "-r", pcap]
    if verify:
        cmd.append("--verify-checksums")
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=SYNFIN_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, "timed out after %ds: %s" % (SYNFIN_TIMEOUT,
                                                  " ".join(cmd))
    except OSError as e:
        return None, "cannot run %s: %s" % (synfin, e)
    if p.returncode != 0:
        err = p.stderr.decode(errors="replace").strip().splitlines()
        return None, "exit %d: %s (%s)" % (p.returncode, " ".join(cmd),
                                           err[-1] if err else "")
    conns = []
    for n, line in enumerate(p.stdout.decode(errors="replace").splitlines()):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as e:
            return None, "line %d is not JSON (%s): %.80s" % (n + 1, e, line)
        if rec.get("type") == "conn":
            conns.append(rec)
    return conns, None


def synfin_view(rec):
    """4-tuple, state, history and start of one synfin conn record."""
    c, s = rec.get("client") or {}, rec.get("server") or {}
    z = rec.get("zeek") or {}
    return {
        "key": tuple_key(c.get("addr"), c.get("port"),
                         s.get("addr"), s.get("port")),
        "state": z.get("conn_state"),
        "history": z.get("history"),
        "ts": rec.get("ts") or 0.0,
        "id": rec.get("id") or 0,
        "tuple": fmt_tuple(c.get("addr"), c.get("port"),
                           s.get("addr"), s.get("port")),
    }


# ---- pairing ------------------------------------------------------------

def compare(zrows, sconns, use_ts):
    """Pair Zeek rows with synfin records; returns (pairs, extras).

    pairs: (zeek row, synfin view or None) for every Zeek row.  With no
    4-tuple columns (a cut baseline) everything is one group.
    """
    have_ids = all(k in zrows[0] for k in
                   ("id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p")) \
        if zrows else True
    zgroups, order = {}, []
    for i, r in enumerate(zrows):
        key = tuple_key(r["id.orig_h"], r["id.orig_p"], r["id.resp_h"],
                        r["id.resp_p"]) if have_ids else "all"
        if key not in zgroups:
            zgroups[key] = []
            order.append(key)
        zgroups[key].append((i, r))
    sgroups = {}
    for v in (synfin_view(c) for c in sconns):
        key = v["key"] if have_ids else "all"
        sgroups.setdefault(key, []).append(v)
    for g in sgroups.values():
        g.sort(key=lambda v: (v["ts"], v["id"]))
    pairs = [None] * len(zrows)
    for key in order:
        zs = zgroups[key]
        if use_ts:
            zs = sorted(zs, key=lambda ir: float(ir[1]["ts"]))
        ss = sgroups.get(key, [])
        for j, (i, r) in enumerate(zs):
            pairs[i] = (r, ss[j] if j < len(ss) else None)
    extras = []
    for key, ss in sgroups.items():
        n = len(zgroups.get(key, []))
        extras.extend(ss[n:])
    return pairs, extras


def zeek_tuple(r):
    if "id.orig_h" not in r:
        return "(no 4-tuple in baseline, uid %s)" % r.get("uid", "?")
    return fmt_tuple(r["id.orig_h"], r["id.orig_p"], r["id.resp_h"],
                     r["id.resp_p"])


# ---- the run ------------------------------------------------------------

def check_baseline(b, index, synfin, out):
    """Compare one baseline. Returns a result dict, or None if skipped."""
    meta = index.get(b["rel"], {})
    label = b["rel"] + ("" if not b["variant"] else
                        " [%s]" % b["variant"])
    for v, why in VARIANT_SKIP.items():
        if b["variant"] and v in b["variant"]:
            out.append("%s: not compared: %s" % (label, why))
            return None
    cols, rows = parse_conn_log(b["log"])
    if cols is None:
        return {"label": label, "info_only": True, "why": "no header",
                "lines": []}
    zrows = zeek_tcp_rows(cols, rows)
    verify = not meta.get("no_verify", False)
    if b["variant"] and any(v in b["variant"] for v in VARIANT_VERIFY_OFF):
        verify = False
    res = {"label": label, "tunnel": meta.get("tunnel", False),
           "info_only": "conn_state" not in cols, "agree": 0, "total": 0,
           "hist_agree": 0, "lines": [], "verify": verify}
    if not zrows:
        res["info_only"] = True
        res["why"] = "no TCP rows"
        return res
    sconns, err = run_synfin(synfin, b["pcap"], verify)
    if err:
        res["error"] = err
        sconns = []
    use_ts = "ts" in cols and not ts_masked(zrows)
    pairs, extras = compare(zrows, sconns, use_ts)
    for r, s in pairs:
        tunnelled = r.get("tunnel_parents", "-") not in ("-", "", "(empty)")
        zstate, zhist = r.get("conn_state"), r.get("history", "-")
        if s is None:
            ok, hok = False, False
            txt = "no synfin connection"
        else:
            ok = zstate is not None and s["state"] == zstate
            hok = s["history"] == zhist
            txt = "synfin %s '%s'" % (s["state"], s["history"])
        if tunnelled:
            res.setdefault("tunnelled", 0)
            res.setdefault("tunnelled_agree", 0)
            res["tunnelled"] += 1
            res["tunnelled_agree"] += ok
            res["lines"].append("  inside the tunnel, %s: %s: zeek %s '%s'; "
                                "%s" % ("agree" if ok else "DISAGREE",
                                        zeek_tuple(r), zstate, zhist, txt))
            continue
        res["total"] += 1
        res["agree"] += ok
        res["hist_agree"] += hok
        if res["info_only"]:
            if not hok:
                res["lines"].append("  history differs: %s: zeek '%s'; %s"
                                    % (zeek_tuple(r), zhist, txt))
        elif not ok:
            res["lines"].append("  DISAGREE %s: zeek %s '%s'; %s"
                                % (zeek_tuple(r), zstate, zhist, txt))
        elif not hok:
            res["lines"].append("  (same state, history differs) %s: "
                                "zeek %s '%s'; %s" % (zeek_tuple(r), zstate,
                                                      zhist, txt))
    for s in extras:
        res["lines"].append("  (synfin only) %s: %s '%s'"
                            % (s["tuple"], s["state"], s["history"]))
    return res


def expected_prints(corpus):
    """Section B baselines that print "history, conn_state" lines."""
    out = []
    for dirpath, _dirs, files in os.walk(os.path.join(corpus, "traces")):
        for f in sorted(files):
            if not f.endswith(".expected.txt"):
                continue
            stem = f[:-len(".expected.txt")]
            pcap = next((os.path.join(dirpath, stem + e) for e in
                         (".pcap", ".pcapng") if os.path.exists(
                             os.path.join(dirpath, stem + e))), None)
            if not pcap:
                continue
            with open(os.path.join(dirpath, f), encoding="utf-8") as fh:
                text = fh.read()
            # "history, conn_state (verbatim baseline line N):\nR, OTH"
            m = re.search(r"history, conn_state \(verbatim[^\n]*\n"
                          r"([^\s,]*), (\S+)", text)
            if m:
                out.append((os.path.relpath(pcap, corpus), pcap,
                            m.group(1), m.group(2), "-C" in text))
    return sorted(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--synfin", required=True, help="synfin binary")
    ap.add_argument("--corpus", default=os.path.join(
        repo_root(), "..", "shared", "corpus", "zeek"),
        help="the Zeek corpus directory (default ../shared/corpus/zeek "
             "beside the repository)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="also list agreeing traces' information lines")
    args = ap.parse_args()

    if not os.path.isdir(args.corpus):
        print("SKIP: ../shared/corpus absent")
        return 77

    index = parse_index(args.corpus)
    results, out = [], []
    for b in find_baselines(args.corpus):
        r = check_baseline(b, index, args.synfin, out)
        if r is not None:
            results.append(r)

    agree = total = 0
    print("Zeek conformance: zeek.conn_state against Zeek's conn.log "
          "baselines")
    print("corpus: %s" % os.path.normpath(args.corpus))
    for line in out:
        print(line)
    print()
    print("== compared (conn_state)")
    for r in results:
        if r.get("tunnel") or r.get("info_only"):
            continue
        agree += r["agree"]
        total += r["total"]
        print("%s: %d/%d agree (history %d/%d)%s" % (
            r["label"], r["agree"], r["total"], r["hist_agree"], r["total"],
            "" if r["verify"] else " [checksums not verified, as zeek -C]"))
        if "error" in r:
            print("  synfin failed: %s" % r["error"])
        for line in r["lines"]:
            print(line)

    print()
    print("== tunnel traces (reported apart, not in the figure)")
    for r in results:
        if not r.get("tunnel"):
            continue
        print("%s: %d/%d outer-IP connections agree (history %d/%d), "
              "%d/%d inside the tunnel" % (
                  r["label"], r["agree"], r["total"], r["hist_agree"],
                  r["total"], r.get("tunnelled_agree", 0),
                  r.get("tunnelled", 0)))
        if "error" in r:
            print("  synfin failed: %s" % r["error"])
        for line in r["lines"]:
            print(line)

    print()
    print("== information only (no conn_state column in the baseline)")
    for r in results:
        if r.get("tunnel") or not r.get("info_only"):
            continue
        if "why" in r:
            print("%s: %s" % (r["label"], r["why"]))
            continue
        print("%s: history %d/%d agree" % (r["label"], r["hist_agree"],
                                            r["total"]))
        for line in r["lines"]:
            print(line)
    for rel, pcap, zhist, zstate, no_verify in expected_prints(args.corpus):
        conns, err = run_synfin(args.synfin, pcap, not no_verify)
        if err:
            print("%s: synfin failed: %s" % (rel, err))
            continue
        got = ["%s '%s'" % (v["state"], v["history"])
               for v in map(synfin_view, conns)]
        same = len(got) == 1 and got[0] == "%s '%s'" % (zstate, zhist)
        print("%s: zeek %s '%s'; synfin %s%s" % (
            rel, zstate, zhist, ", ".join(got) or "nothing",
            "" if same else "  <- differs"))

    print()
    share = agree / total if total else 0.0
    print("overall: %d/%d connections agree on conn_state = %.1f%% "
          "(threshold %.0f%%)" % (agree, total, 100.0 * share,
                                  100.0 * THRESHOLD))
    print("%d passed, %d failed" % (agree, total - agree))
    return 0 if total and share >= THRESHOLD else 1


if __name__ == "__main__":
    sys.exit(main())
