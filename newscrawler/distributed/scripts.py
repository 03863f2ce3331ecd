"""The run's atomic steps in Redis, as Lua scripts (Redis runs each one alone).

A SIGKILL can fall between any two commands of a client, never inside a script; so a
request is never seen without being queued, never popped without being leased, and a dead
worker's lease is never dropped without its request being queued again.

Queue scores are ``-priority * 2**32 + serial``: higher priority first, and first in first
out among equals (scrapy-redis's own queue pops equal priorities in the order of their
pickled bytes). A lease is ``owner \\n score \\n request``.
"""

from __future__ import annotations

from typing import Any

from redis import Redis

__all__ = ["Scripts"]

# Lua prints numbers with 14 digits: scores and times are formatted exactly instead.
_ORDER = ("string.format('%.17g', -tonumber(ARGV[3]) * 4294967296"
          " + redis.call('INCR', KEYS[3]) % 4294967296)")

# KEYS: seen, queue, serial. ARGV: fingerprint, request, priority, dont_filter (0/1).
PUSH = f"""
if ARGV[4] == '0' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], {_ORDER}, ARGV[2])
return 1
"""

# KEYS: queue, leases, serial. ARGV: owner. Returns {lease, request} or nil.
POP = """
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return nil end
redis.call('ZREM', KEYS[1], top[1])
local lease = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], lease, ARGV[1] .. '\\n' .. top[2] .. '\\n' .. top[1])
return {lease, top[1]}
"""

# KEYS: leases. ARGV: owner, lease... Deletes those leases that are still the owner's.
SETTLE = """
local settled = 0
for i = 2, #ARGV do
  local held = redis.call('HGET', KEYS[1], ARGV[i])
  if held and string.sub(held, 1, #ARGV[1] + 1) == ARGV[1] .. '\\n' then
    redis.call('HDEL', KEYS[1], ARGV[i])
    settled = settled + 1
  end
end
return settled
"""

# KEYS: leases, queue, workers, seeding. ARGV: alive key prefix, then verdicts known to the
# caller: "+OWNER" alive, "-OWNER" dead. Other owners are dead without a heartbeat. A dead
# owner's leases go back to the queue (with their score) and it leaves the run, heartbeat
# and all. Returns the number of requests queued again.
REQUEUE = """
local dead = {}
for i = 2, #ARGV do dead[string.sub(ARGV[i], 2)] = string.sub(ARGV[i], 1, 1) == '-' end
local function is_dead(owner)
  if dead[owner] == nil then dead[owner] = redis.call('EXISTS', ARGV[1] .. owner) == 0 end
  return dead[owner]
end
local queued = 0
local leases = redis.call('HGETALL', KEYS[1])
for i = 1, #leases, 2 do
  local value = leases[i + 1]
  local first = string.find(value, '\\n', 1, true)
  local second = string.find(value, '\\n', first + 1, true)
  if is_dead(string.sub(value, 1, first - 1)) then
    redis.call('ZADD', KEYS[2], string.sub(value, first + 1, second - 1),
               string.sub(value, second + 1))
    redis.call('HDEL', KEYS[1], leases[i])
    queued = queued + 1
  end
end
for _, owner in ipairs(redis.call('HKEYS', KEYS[3])) do
  if is_dead(owner) then
    redis.call('HDEL', KEYS[3], owner)
    redis.call('SREM', KEYS[4], owner)
    redis.call('DEL', ARGV[1] .. owner)
  end
end
return queued
"""

# KEYS: workers, seeding, queue, leases, then the run's other keys. ARGV: owner.
# The owner leaves; when no worker is left and nothing is queued or leased, the run is done
# and every key of it is deleted. Returns 1 then, else 0.
LEAVE = """
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[1])
if redis.call('HLEN', KEYS[1]) > 0 or redis.call('ZCARD', KEYS[3]) > 0
   or redis.call('HLEN', KEYS[4]) > 0 then return 0 end
redis.call('DEL', unpack(KEYS))
return 1
"""

# KEYS: the host's slot key. ARGV: delay in ms. Reserves the host's next request slot,
# ``delay`` after the one before, on the Redis server's clock (the machines' clocks may
# differ); returns how many ms to wait for it.
NEXT_SLOT = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local slot = math.max(ms, tonumber(redis.call('GET', KEYS[1]) or 0))
local delay = tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.17g', slot + delay), 'PX',
           string.format('%d', slot + delay - ms + 60000))
return slot - ms
"""


class Scripts:
    """The scripts registered on one client (sent once, then called by their digest)."""

    def __init__(self, server: Redis) -> None:
        self.push: Any = server.register_script(PUSH)
        self.pop: Any = server.register_script(POP)
        self.settle: Any = server.register_script(SETTLE)
        self.requeue: Any = server.register_script(REQUEUE)
        self.leave: Any = server.register_script(LEAVE)
        self.next_slot: Any = server.register_script(NEXT_SLOT)
