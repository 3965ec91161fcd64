#!/usr/bin/env python3
"""An example dedup core for idemcheck, in Python (standard library only).

One partition of a Kafka 2.5+ broker's producer-state handling, speaking the
core protocol (docs/core-protocol.md): one JSON request per line on stdin, one
JSON answer per line on stdout. It keeps the state directly (no history
replay), and must agree with the reference model (spec::PartitionModel under
the kafka-2.5 rules) on every answer and every state; `idemcheck conform`
checks that it does.

Seeded bugs (--bug NAME, or IDEMCHECK_EXAMPLE_BUG=NAME) make it wrong on
purpose, to see the harness find and shrink a divergence.
"""

import copy
import json
import os
import sys
import textwrap

NAME = "python-example"
SUPPORTS = ["append", "replicate", "expire", "snapshot", "restart", "damage"]

NO_EPOCH = -1
SEQUENCE_MODULUS = 2**31  # sequences live in [0, 2^31 - 1]; the successor of 2^31 - 1 is 0

BUGS = {
    "dedup-newest-only":
        "the duplicate check compares only the newest cached batch (Kafka 0.11's Log.isDuplicate), "
        "so a retry of an older batch still in the window is rejected as out of order",
    "no-wraparound":
        "the sequence after 2^31 - 1 is taken to be 2^31, so a producer that wraps to 0 is out of order",
    "expire-late":
        "an entry expires only once now - last_timestamp > producer.id.expiration.ms (Kafka: >=)",
    "no-log-replay":
        "a recovering restart (unclean, or clean with a damaged shutdown snapshot) loads the newest "
        "snapshot but does not replay the log written after it",
}


def c_mod(a, m=SEQUENCE_MODULUS):
    """a mod m as C++ computes it (the sign of a): the reference model's arithmetic.
    Only a replicated batch with a negative sequence reaches a negative a."""
    r = abs(a) % m
    return r if a >= 0 else -r


def last_sequence(first, count):
    return c_mod(first + count - 1)


class Entry:
    """A producer's entry: its epoch, the last `window` batches it wrote in that
    epoch (oldest first, as [first_seq, last_seq, first_offset, last_offset]) and
    the max timestamp of its newest batch."""

    def __init__(self, producer_id):
        self.producer_id = producer_id
        self.epoch = NO_EPOCH
        self.last_timestamp = 0
        self.batches = []

    def as_json(self):
        return {"producer_id": self.producer_id, "epoch": self.epoch, "last_timestamp": self.last_timestamp,
                "batches": [{"first_sequence": b[0], "last_sequence": b[1], "first_offset": b[2], "last_offset": b[3]}
                            for b in self.batches]}


class Partition:
    def __init__(self, window, expiration_ms, snapshot_keeps_window, bug):
        self.window = window
        self.expiration_ms = expiration_ms
        self.snapshot_keeps_window = snapshot_keeps_window
        self.bug = bug
        self.log = []         # (batch, first_offset, last_offset), oldest first
        self.log_end = 0
        self.entries = {}     # producer id -> Entry
        self.snapshots = {}   # offset -> {producer id -> Entry}; one per offset, as a broker's files

    def next_sequence(self, s):
        return s + 1 if self.bug == "no-wraparound" else c_mod(s + 1)

    # --- writing ----------------------------------------------------------

    def add_batch(self, entries, batch, first_offset, last_offset):
        """A write into the producer's entry, the same for client, replicated
        and recovered writes. A new epoch restarts the cache."""
        entry = entries.setdefault(batch["producer_id"], Entry(batch["producer_id"]))
        if entry.epoch != batch["epoch"]:
            entry.batches = []
            entry.epoch = batch["epoch"]
        entry.batches.append([batch["first_sequence"], last_sequence(batch["first_sequence"], batch["records"]),
                              first_offset, last_offset])
        del entry.batches[:-self.window]  # evict the oldest beyond the window
        entry.last_timestamp = batch["timestamp"]

    def write(self, batch):
        first, last = self.log_end, self.log_end + batch["records"] - 1
        self.log.append((batch, first, last))
        self.log_end = last + 1
        if batch["producer_id"] >= 0:  # R1: a batch without a producer id touches no producer state
            self.add_batch(self.entries, batch, first, last)
        return first, last

    def append(self, batch):
        """A client (leader) append: the first matching rule decides
        (ProducerAppendInfo.checkSequence and UnifiedLog's duplicate check)."""
        def written():
            first, last = self.write(batch)
            return {"error": "none", "duplicate": False, "first_offset": first, "last_offset": last}

        def reject(error):
            return {"error": error, "duplicate": False, "first_offset": -1, "last_offset": -1}

        pid, e, f = batch["producer_id"], batch["epoch"], batch["first_sequence"]
        if pid < 0:
            return written()                                    # R1: not idempotent
        if f < 0:
            return reject("invalid_record")                     # R2: the log's own validation runs first
        entry = self.entries.get(pid)
        known = entry.epoch if entry else NO_EPOCH
        l = last_sequence(f, batch["records"])
        if entry and e == known:                                # R3: a retry of a cached batch
            cached = entry.batches[-1:] if self.bug == "dedup-newest-only" else entry.batches
            for b in cached:
                if b[0] == f and b[1] == l:
                    return {"error": "none", "duplicate": True, "first_offset": b[2], "last_offset": b[3]}
        if e < known:
            return reject("invalid_producer_epoch")             # R4: a fenced producer
        if entry is None or (known == NO_EPOCH and e != known):
            return written()                                    # R5: no state: any sequence (KAFKA-8710)
        if e > known:                                           # R6/R7: a new epoch starts at 0
            return written() if f == 0 else reject("out_of_order_sequence_number")
        if known == NO_EPOCH:
            return written()                                    # R8: epoch -1 throughout (degenerate)
        if not entry.batches:
            return written() if f == 0 else reject("out_of_order_sequence_number")
        if f == self.next_sequence(entry.batches[-1][1]):
            return written()                                    # R9: the next sequence
        return reject("out_of_order_sequence_number")           # R10: gap, overlap, or older than the cache

    def replicate(self, batch):
        """A follower's append: no validation at all (origin REPLICATION)."""
        self.write(batch)

    # --- expiry, snapshots, restarts ---------------------------------------

    def drop_expired(self, entries, now):
        """producer.id.expiration.ms after its last write, an entry goes
        (ProducerStateManager.removeExpiredProducers)."""
        def expired(entry):
            idle = now - entry.last_timestamp
            return idle > self.expiration_ms if self.bug == "expire-late" else idle >= self.expiration_ms
        for pid in [pid for pid, entry in entries.items() if expired(entry)]:
            del entries[pid]

    def take_snapshot(self):
        """A snapshot at the log end. Kafka's format keeps each producer's
        epoch, timestamp and NEWEST batch only; one per offset (replaced)."""
        kept = copy.deepcopy(self.entries)
        if not self.snapshot_keeps_window:
            for entry in kept.values():
                entry.batches = entry.batches[-1:]
        self.snapshots[self.log_end] = kept

    def recover(self, now):
        """Load the newest snapshot (or nothing), then replay the log written
        after it as replicated appends, then snapshot at the log end
        (UnifiedLog.rebuildProducerState)."""
        start = max(self.snapshots) if self.snapshots else None
        self.entries = copy.deepcopy(self.snapshots[start]) if start is not None else {}
        self.drop_expired(self.entries, now)
        if self.bug != "no-log-replay" or start is None:
            for batch, first, last in self.log:
                if first >= (start or 0) and batch["producer_id"] >= 0:
                    self.add_batch(self.entries, batch, first, last)
        self.take_snapshot()

    def restart(self, now, clean, damage):
        """Clean: snapshot at shutdown and reload it. Unclean: recover from the
        newest snapshot on disk. A damaged (torn or corrupt) snapshot fails to
        read (CorruptSnapshotException) and is deleted; the restart falls back
        to the next-newest (ProducerStateManager.loadFromSnapshot)."""
        if clean:
            self.take_snapshot()
            if damage == "none":
                self.entries = copy.deepcopy(self.snapshots[self.log_end])
                self.drop_expired(self.entries, now)
                return
            del self.snapshots[self.log_end]  # the shutdown snapshot is the damaged one
        elif damage != "none" and self.snapshots:
            del self.snapshots[max(self.snapshots)]
        self.recover(now)

    def state(self):
        return {"log_end_offset": self.log_end,
                "producers": [self.entries[pid].as_json() for pid in sorted(self.entries)],
                "snapshot_offsets": sorted(self.snapshots)}


# --- the protocol ----------------------------------------------------------

class Refused(Exception):
    """The request cannot be done: answered {"ok": false, "error": ...}."""


def integer(obj, key, least=None):
    value = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(value, int) or isinstance(value, bool):
        raise Refused(f'"{key}" must be an integer')
    if least is not None and value < least:
        raise Refused(f'"{key}" must be at least {least}')
    return value


def boolean(obj, key):
    value = obj.get(key)
    if not isinstance(value, bool):
        raise Refused(f'"{key}" must be true or false')
    return value


def batch_of(request):
    b = request.get("batch")
    if not isinstance(b, dict):
        raise Refused('"batch" must be an object')
    return {"producer_id": integer(b, "producer_id"), "epoch": integer(b, "epoch"),
            "first_sequence": integer(b, "first_sequence"), "records": integer(b, "records", least=1),
            "timestamp": integer(b, "timestamp")}


class Core:
    def __init__(self, bug):
        self.bug = bug
        self.partition = None

    def hello(self, request):
        if self.partition is not None:
            raise Refused("hello was already said")
        if request.get("protocol") != 1:
            raise Refused(f"I speak protocol 1, not {request.get('protocol')!r}")
        config = request.get("config")
        if not isinstance(config, dict):
            raise Refused('"config" must be an object')
        rules = config.get("rules", "kafka-2.5")
        if rules not in ("kafka-2.5", "kafka-4.4"):
            raise Refused(f"I implement the kafka-2.5 rules only, not {rules}")
        self.partition = Partition(integer(config, "window", least=1),
                                   integer(config, "producer_id_expiration_ms", least=1),
                                   boolean(config, "snapshot_keeps_window"), self.bug)
        return {"ok": True, "name": NAME if not self.bug else f"{NAME} (bug {self.bug})", "supports": SUPPORTS}

    def handle(self, request):
        op = request.get("op")
        if op == "hello":
            return self.hello(request)
        if op == "bye":
            return {"ok": True}
        p = self.partition
        if p is None:
            raise Refused(f"hello first (got {op!r})")
        if op == "append":
            return p.append(batch_of(request))
        if op == "replicate":
            p.replicate(batch_of(request))
        elif op == "expire":
            p.drop_expired(p.entries, integer(request, "now"))
        elif op == "snapshot":
            p.take_snapshot()
        elif op == "restart":
            damage = request.get("damage", "none")
            if damage not in ("none", "torn", "corrupt"):
                raise Refused(f'"damage" must be none, torn or corrupt, not {damage!r}')
            p.restart(integer(request, "now"), boolean(request, "clean"), damage)
        elif op == "state":
            return p.state()
        else:
            raise Refused(f"unknown op {op!r}")
        return {"ok": True}


USAGE = f"""usage: core.py [--bug NAME] [--list-bugs] [--help]

An example dedup core for idemcheck: speaks the core protocol on stdin/stdout
(docs/core-protocol.md). Run it under the harness:

  idemcheck conform --core 'python3 examples/python-core/core.py'

  --list-bugs  print the seeded bugs' names, one per line
  --bug NAME   answer wrongly on purpose (also IDEMCHECK_EXAMPLE_BUG=NAME):
""" + "".join(textwrap.fill(what, 79, initial_indent=f"    {name}: ", subsequent_indent=" " * 6) + "\n"
              for name, what in BUGS.items())


def main(argv):
    bug = os.environ.get("IDEMCHECK_EXAMPLE_BUG") or None
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg in ("-h", "--help"):
            sys.stdout.write(USAGE)
            return 0
        if arg == "--list-bugs":  # one name per line, for scripts that try each
            sys.stdout.write("".join(name + "\n" for name in BUGS))
            return 0
        if arg == "--bug" and args:
            bug = args.pop(0)
        elif arg.startswith("--bug="):
            bug = arg[len("--bug="):]
        else:
            sys.stderr.write(f"core.py: unknown argument {arg!r}\n" + USAGE)
            return 2
    if bug is not None and bug not in BUGS:
        sys.stderr.write(f"core.py: no bug named {bug!r}\n" + USAGE)
        return 2

    core = Core(bug)
    for line in sys.stdin:  # one request per line; EOF ends the core
        request = None
        try:
            request = json.loads(line)
            if not isinstance(request, dict):
                raise Refused("a request must be a JSON object")
            answer = core.handle(request)
        except json.JSONDecodeError as e:
            answer = {"ok": False, "error": f"not JSON: {e}"}
        except Refused as e:
            answer = {"ok": False, "error": str(e)}
        except Exception as e:  # a bug here must not end the session silently
            answer = {"ok": False, "error": f"internal error: {type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(answer, separators=(",", ":")) + "\n")
        sys.stdout.flush()
        if isinstance(request, dict) and request.get("op") == "bye" and answer.get("ok"):
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
