"""The lab's runs in Redis, when DROPOUT_LAB_REDIS_URL is set: shared by web processes and workers
on any machine. The same protocol as the files of app/lab/store.py, key for file:

    lab:run:<h>:events   a Stream: the run's server-sent events, one entry {e: bytes} each, XADDed
                         by the job (app/lab/jobs.py); a listener XREADs it from 0, then blocks.
                         (store.py's .part.) Kept EVENTS_TTL seconds after the run's last event.
    lab:run:<h>:claim    the run's token, SET NX by the web process that queues its job: one
                         training per run over every process (single flight). (store.py's .lock.)
    lab:run:<h>:job      "<attempt> <RQ job id>" of the attempt queued last (1, then 2 after a death).
    lab:run:<h>:starts   the attempt that began last: only it may write the run's events (fencing:
                         a slow attempt declared dead never writes into its retry's run).
    lab:run:<h>:owner    "<attempt> <host> <pid>" of the job training it (its work horse), SET
                         with a PX of OWNER_TTL ms and renewed every HEARTBEAT s: gone, it died.
    lab:run:<h>:recover:<n>  the mark of the web process that handles the end of attempt n.
    lab:run:<h>:listen   Redis's clock (s) when a web process last had listeners of the run, SET
                         each second while it has: the job stops a run nobody has listened to for
                         the grace period, also one that waited in the queue. (store.py's .listen.)
    lab:run:<h>:sse      a finished run's events, replayed byte for byte. (store.py's .sse.)
    lab:finished         sorted set: h -> last use (ms); lab:finished:bytes hash: h -> size. Past
                         the byte bound the least recently used go.
    lab:seconds          the last runs' durations, for the queue's Retry-After.

<h> is the sha256 of the run's key (``LabQuery.run_key()``), as on disk. Every key of a run has a
TTL (CLAIM_TTL at most) but the replay's, which the byte bound removes. Each step that must see the
run as it is runs as one Lua script (atomic in Redis): claim, begin, emit, renew, end.
"""

from __future__ import annotations

import hashlib

PREFIX = "lab:"
QUEUE = "dropout-lab"  # the RQ queue of the lab's runs
HEARTBEAT = 1.0  # seconds between a job's renewals of its owner key, and a listener's of listen
OWNER_TTL = 4_000  # ms: an owner key not renewed this long means its job died
CLAIM_TTL = 6 * 3600  # s: the longest any key of a run in progress lives without being renewed
EVENTS_TTL = 120  # s: a finished stream stays for listeners still reading it, then only the .sse
ENQUEUE_GRACE = 30  # s: a claim without a queued job this long: its web process died in between
ATTEMPTS = 2  # a job that dies is run again once; the second death ends the run with an error
SECONDS_KEPT = 20  # run durations averaged for Retry-After


def run_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class RunKeys:
    """The keys of the run whose key hashes to ``h``."""

    def __init__(self, h: str):
        self.h = h
        base = f"{PREFIX}run:{h}:"
        self.events, self.claim, self.job, self.starts, self.owner, self.listen, self.sse = (
            base + name for name in ("events", "claim", "job", "starts", "owner", "listen", "sse")
        )

    def recover(self, attempt: int) -> str:
        return f"{PREFIX}run:{self.h}:recover:{attempt}"

    def state(self) -> list[str]:
        """The keys of a run in progress, cleared by a new claim: events, job, starts, owner, recovers."""
        return [self.events, self.job, self.starts, self.owner, *(self.recover(n) for n in range(ATTEMPTS + 1))]


FINISHED = PREFIX + "finished"
FINISHED_BYTES = PREFIX + "finished:bytes"
SECONDS = PREFIX + "seconds"
TRAININGS = PREFIX + "trainings"  # jobs begun, ever: tests and benchmarks count trainings by it

# Web: claim a run and clear what an earlier run of it left (its events, attempts, marks), at once.
# KEYS: claim, then RunKeys.state(); ARGV: token, claim ttl s. 1: claimed; 0: another holds it.
CLAIM = """
if not redis.call('set', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return 0 end
for i = 2, #KEYS do redis.call('del', KEYS[i]) end
return 1
"""

# Web: record the attempt just queued, while the claim is this token's. KEYS: claim, job;
# ARGV: token, "<attempt> <job id>", ttl s.
QUEUED = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('set', KEYS[2], ARGV[2], 'EX', ARGV[3])
return 1
"""

# Web: a run's listeners are here now (Redis's clock, so that machines' clocks do not matter).
# KEYS: listen; ARGV: ttl s.
LISTEN = """
redis.call('set', KEYS[1], redis.call('time')[1], 'EX', ARGV[1])
return 1
"""

# Job, as it begins: 1 if it may train the run (the claim is its token and it is the attempt
# queued last), else 0. KEYS: claim, job, starts, owner, trainings, events; ARGV: token, attempt,
# "<host> <pid>", owner ttl ms, ttl s.
BEGIN = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
local job = redis.call('get', KEYS[2])
if not job or string.match(job, '^%d+') ~= ARGV[2] then return 0 end
redis.call('set', KEYS[3], ARGV[2], 'EX', ARGV[5])
redis.call('set', KEYS[4], ARGV[2] .. ' ' .. ARGV[3], 'PX', ARGV[4])
redis.call('incr', KEYS[5])
redis.call('expire', KEYS[6], ARGV[5])
return 1
"""

# Job: one event, only while the run is this attempt's. KEYS: claim, starts, events;
# ARGV: token, attempt, event, ttl s.
EMIT = """
if redis.call('get', KEYS[1]) ~= ARGV[1] or redis.call('get', KEYS[2]) ~= ARGV[2] then return 0 end
redis.call('xadd', KEYS[3], '*', 'e', ARGV[3])
redis.call('expire', KEYS[3], ARGV[4])
return 1
"""

# Web: an event of its own (`queued`) into the run's Stream, while the claim is its token.
# KEYS: claim, events; ARGV: token, event, ttl s.
EMIT_WEB = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('xadd', KEYS[2], '*', 'e', ARGV[2])
redis.call('expire', KEYS[2], ARGV[3])
return 1
"""

# Job, every HEARTBEAT: renew the owner and the claim while the run is this attempt's, and say
# when its listeners were last heard of (Redis's clock): {1, now, heard}; {0} when it is not its.
# KEYS: claim, starts, owner, listen; ARGV: token, attempt, owner value, owner ttl ms, ttl s.
RENEW = """
if redis.call('get', KEYS[1]) ~= ARGV[1] or redis.call('get', KEYS[2]) ~= ARGV[2] then return {0} end
redis.call('set', KEYS[3], ARGV[3], 'PX', ARGV[4])
redis.call('expire', KEYS[1], ARGV[5])
redis.call('expire', KEYS[2], ARGV[5])
return {1, tonumber(redis.call('time')[1]), tonumber(redis.call('get', KEYS[4]) or '0')}
"""

# Job, at its end (only while the run is this attempt's): a finished run's events become its
# replay, the run's keys go (its events after EVENTS_TTL), the claim last of all in the same step:
# a request sees either the run in progress or its replay. KEYS: claim, starts, owner, job, events,
# sse, finished, finished bytes, seconds; ARGV: token, attempt, body ('' when unfinished), h,
# now ms, seconds, events ttl, seconds kept.
END = """
if redis.call('get', KEYS[1]) ~= ARGV[1] or redis.call('get', KEYS[2]) ~= ARGV[2] then return 0 end
if ARGV[3] ~= '' then
  redis.call('set', KEYS[6], ARGV[3])
  redis.call('zadd', KEYS[7], ARGV[5], ARGV[4])
  redis.call('hset', KEYS[8], ARGV[4], string.len(ARGV[3]))
  redis.call('lpush', KEYS[9], ARGV[6])
  redis.call('ltrim', KEYS[9], 0, tonumber(ARGV[8]) - 1)
end
redis.call('expire', KEYS[5], ARGV[7])
redis.call('del', KEYS[2], KEYS[3], KEYS[4], KEYS[1])
return 1
"""

# Job stopped from outside: its owner key goes at once (a listener queues the run again). KEYS:
# claim, starts, owner; ARGV: token, attempt.
LET_GO = """
if redis.call('get', KEYS[1]) ~= ARGV[1] or redis.call('get', KEYS[2]) ~= ARGV[2] then return 0 end
return redis.call('del', KEYS[3])
"""

# Web: the run's last attempt died: its error to every listener, and the run freed. KEYS: claim,
# events, job, starts, owner; ARGV: token, event, events ttl s.
FAIL = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('xadd', KEYS[2], '*', 'e', ARGV[2])
redis.call('expire', KEYS[2], ARGV[3])
redis.call('del', KEYS[3], KEYS[4], KEYS[5], KEYS[1])
return 1
"""

# Free a claim only while it holds this token. KEYS: claim; ARGV: token.
RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def prune(r, max_bytes: int) -> None:
    """Remove the least recently used finished runs until they fit in ``max_bytes`` (sync client)."""
    total = sum(int(v) for v in r.hvals(FINISHED_BYTES))
    while total > max_bytes:
        oldest = r.zrange(FINISHED, 0, 0)
        if not oldest:
            return
        h = oldest[0].decode() if isinstance(oldest[0], bytes) else oldest[0]
        size = int(r.hget(FINISHED_BYTES, h) or 0)
        pipe = r.pipeline()
        pipe.delete(RunKeys(h).sse)
        pipe.zrem(FINISHED, h)
        pipe.hdel(FINISHED_BYTES, h)
        pipe.execute()
        total -= size
