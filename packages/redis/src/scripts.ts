// The Lua scripts: each store operation is one round trip, decided by the Redis server's clock
// (TIME). All keys of a job share one hash tag, so the scripts work on Redis Cluster.
//
// Keys (job J, tick T in epoch ms):
//   <prefix>{J}:claim:T   hash: owner, fence, lease (ms), state (running|done|released), outcome
//   <prefix>{J}:fence     counter: fences grow on every claim and takeover
//   <prefix>{J}:running   sorted set: claim keys of live runs, scored by lease end
//   <prefix>{J}:last      the latest completed tick

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: claim, fence, running. ARGV: owner, leaseMs, exclusive (0|1), retainMs, tickMs, maxEarlyMs. Returns {1, fence, leaseUntil} or {0, reason[, msUntilTheHoldersLeaseEnds]}. */
export const CLAIM = `${NOW}
local owner, lease, exclusive, retain, tick = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
if tick - now > tonumber(ARGV[6]) then return {0, 'early', tick - now} end
local rec = redis.call('HMGET', KEYS[1], 'owner', 'fence', 'lease', 'state')
if rec[4] == 'done' then return {0, 'completed'} end
if rec[4] == 'running' and tonumber(rec[3]) > now then
  if rec[1] == owner then return {1, tonumber(rec[2]), tonumber(rec[3])} end
  return {0, 'claimed-elsewhere', tonumber(rec[3]) - now}
end
if exclusive == '1' then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  local live = redis.call('ZRANGEBYSCORE', KEYS[3], '(' .. now, '+inf')
  for _, key in ipairs(live) do
    if key ~= KEYS[1] then return {0, 'overlap'} end
  end
end
local fence = redis.call('INCR', KEYS[2])
local lease_end = now + lease
redis.call('HSET', KEYS[1], 'owner', owner, 'fence', fence, 'lease', lease_end, 'state', 'running', 'retain', retain)
redis.call('PEXPIRE', KEYS[1], math.max(tick - now, 0) + retain + lease)
redis.call('ZADD', KEYS[3], lease_end, KEYS[1])
redis.call('PEXPIRE', KEYS[3], math.max(tick - now, 0) + retain + lease)
return {1, fence, lease_end}`;

/** KEYS: claim, running. ARGV: fence, leaseMs. Returns 1 when extended, 0 when the claim is no longer ours or live. */
export const RENEW = `${NOW}
local rec = redis.call('HMGET', KEYS[1], 'fence', 'lease', 'state')
if rec[3] ~= 'running' or tonumber(rec[1]) ~= tonumber(ARGV[1]) or tonumber(rec[2]) <= now then return 0 end
local lease_end = now + tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'lease', lease_end)
redis.call('ZADD', KEYS[2], lease_end, KEYS[1])
-- A long run outlives the retention set at claim time: keep the record while the lease lives.
local keep = tonumber(ARGV[2]) + tonumber(redis.call('HGET', KEYS[1], 'retain') or '0')
if redis.call('PTTL', KEYS[1]) < keep then redis.call('PEXPIRE', KEYS[1], keep) end
if redis.call('PTTL', KEYS[2]) < keep then redis.call('PEXPIRE', KEYS[2], keep) end
return 1`;

/** KEYS: claim, running, last. ARGV: fence, outcome, tickMs. Returns 1 when recorded, 0 when the fence was superseded or the lease ran out. */
export const COMPLETE = `${NOW}
local rec = redis.call('HMGET', KEYS[1], 'fence', 'lease', 'state')
if rec[3] ~= 'running' or tonumber(rec[1]) ~= tonumber(ARGV[1]) or tonumber(rec[2]) <= now then return 0 end
redis.call('HSET', KEYS[1], 'state', 'done', 'outcome', ARGV[2])
-- Kept for the retention from now, so a late replica still finds the tick done.
local keep = tonumber(redis.call('HGET', KEYS[1], 'retain') or '0')
if redis.call('PTTL', KEYS[1]) < keep then redis.call('PEXPIRE', KEYS[1], keep) end
redis.call('ZREM', KEYS[2], KEYS[1])
local last = tonumber(redis.call('GET', KEYS[3]) or '-1')
if tonumber(ARGV[3]) > last then redis.call('SET', KEYS[3], ARGV[3]) end
return 1`;

/** KEYS: claim, running. ARGV: fence. Gives the tick up unfinished, so another replica may take it at once. */
export const RELEASE = `local rec = redis.call('HMGET', KEYS[1], 'fence', 'state')
if rec[2] ~= 'running' or tonumber(rec[1]) ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'state', 'released', 'lease', 0)
redis.call('ZREM', KEYS[2], KEYS[1])
return 1`;
