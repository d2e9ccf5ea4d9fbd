// The Lua scripts: each store operation is one script call for a whole batch, decided by the Redis
// server's clock (TIME). Keys are passed in KEYS (two per item), so a call whose keys share one
// hash tag runs on Redis Cluster; the store groups a batch by tag there (keys.ts).
//
// Keys (job J, tick T in epoch ms, tag {P<bucket>}):
//   {P<b>}:c:J:T   hash: owner, fence, lease (ms, store clock), state (running|done|released), retain, outcome
//   {P<b>}:j:J     hash: fence (the job's largest), last (latest completed tick), and r:T -> lease end
//                  for each running tick T (exclusive or not), which exclusive claims check
//   {Pmeta}:epoch  identifies the data set: gone after a restart without persistence
//   {Pmeta}:instances  hash: instance id -> "session seen expires" of each live scheduler
//
// Numbers go through string.format('%.0f'): Lua numbers are doubles, and Redis turns a number
// argument into text with 14 significant digits, which would round a fence (µs, 16 digits).

const PRELUDE = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local now_us = tonumber(t[1]) * 1000000 + tonumber(t[2])
local function s(n) return string.format('%.0f', n) end`;

/**
 * The running ticks of a job (fields r:<tick> of its hash, the lease end as value): whether one
 * other than `tick` (text) holds a live lease. Drops the fields of leases that ended (a holder
 * that died leaves one behind). Needs `now`.
 */
const RUNNING = `local function busy(jk, tick)
  local fields = redis.call('HGETALL', jk)
  local found = false
  for k = 1, #fields, 2 do
    local name = fields[k]
    if string.sub(name, 1, 2) == 'r:' then
      if tonumber(fields[k + 1]) <= now then redis.call('HDEL', jk, name)
      elseif name ~= 'r:' .. tick then found = true end
    end
  end
  return found
end`;

/**
 * KEYS: claim, job per request. ARGV: owner, deadline, maxEarlyMs, then per request tick, leaseMs,
 * exclusive (0|1), retainMs, takeoverOnly (0|1). Returns three values per request:
 * 1, fence, leaseUntil — or 0, reason, retryAfterMs (or nil).
 */
export const CLAIM = `${PRELUDE}
${RUNNING}
local owner, deadline, max_early = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}
local function push(a, b, c) out[#out + 1] = a; out[#out + 1] = b; out[#out + 1] = c end
for i = 1, #KEYS / 2 do
  local ck, jk, a = KEYS[2 * i - 1], KEYS[2 * i], 3 + (i - 1) * 5
  local tick, lease, excl = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), ARGV[a + 3] == '1'
  local retain, takeover = tonumber(ARGV[a + 4]), ARGV[a + 5] == '1'
  if now > deadline then push(0, 'late', false)
  elseif tick - now > max_early then push(0, 'early', s(tick - now))
  else
    local rec = redis.call('HMGET', ck, 'owner', 'fence', 'lease', 'state')
    local state = rec[4]
    if state == 'done' then push(0, 'completed', false)
    elseif state == 'running' and tonumber(rec[3]) > now then
      if rec[1] == owner then push(1, rec[2], rec[3])
      else push(0, 'claimed-elsewhere', s(tonumber(rec[3]) - now)) end
    elseif not state and takeover then push(0, 'unknown-tick', false)
    else
      -- Any live run of another tick blocks an exclusive claim, ticks granted earlier in this
      -- batch included; a non-exclusive claim only prunes, when the job has many entries.
      local blocked = false
      if excl then blocked = busy(jk, s(tick))
      elseif redis.call('HLEN', jk) > 16 then busy(jk, s(tick)) end
      if blocked then push(0, 'overlap', false)
      else
        -- Fences grow per job, and are at least the clock in µs: a restart that lost the job's
        -- fence cannot make them go back.
        local fence = math.max((tonumber(redis.call('HGET', jk, 'fence')) or 0) + 1, now_us)
        local lease_end = now + lease
        redis.call('HSET', ck, 'owner', owner, 'fence', s(fence), 'lease', s(lease_end), 'state', 'running', 'retain', s(retain))
        redis.call('PEXPIRE', ck, s(math.max(tick - now, 0) + retain + lease))
        redis.call('HSET', jk, 'fence', s(fence), 'r:' .. s(tick), s(lease_end))
        push(1, s(fence), s(lease_end))
      end
    end
  end
end
return out`;

/**
 * KEYS: claim, job per lease. ARGV: owner, deadline, then per lease tick, fence, leaseMs, retainMs.
 * Returns 1 (extended) or 0 (taken over, finished, ended, or late) per lease. A record the store
 * lost while its lease was live is written again.
 */
export const RENEW = `${PRELUDE}
local owner, deadline = ARGV[1], tonumber(ARGV[2])
local out = {}
for i = 1, #KEYS / 2 do
  local ck, jk, a = KEYS[2 * i - 1], KEYS[2 * i], 2 + (i - 1) * 4
  local tick, fence, lease = ARGV[a + 1], tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local retain = tonumber(ARGV[a + 4])
  local lease_end = now + lease
  local rec = redis.call('HMGET', ck, 'fence', 'lease', 'state')
  local ok = 0
  if now > deadline then ok = 0
  elseif not rec[3] then
    redis.call('HSET', ck, 'owner', owner, 'fence', s(fence), 'lease', s(lease_end), 'state', 'running', 'retain', s(retain))
    redis.call('PEXPIRE', ck, s(lease + retain))
    if (tonumber(redis.call('HGET', jk, 'fence')) or 0) < fence then redis.call('HSET', jk, 'fence', s(fence)) end
    redis.call('HSET', jk, 'r:' .. tick, s(lease_end))
    ok = 1
  elseif rec[3] == 'running' and tonumber(rec[1]) == fence and tonumber(rec[2]) > now then
    redis.call('HSET', ck, 'lease', s(lease_end))
    -- A long run outlives the retention set at claim time: keep the record while the lease lives.
    if redis.call('PTTL', ck) < lease + retain then redis.call('PEXPIRE', ck, s(lease + retain)) end
    redis.call('HSET', jk, 'r:' .. tick, s(lease_end))
    ok = 1
  end
  out[#out + 1] = ok
end
return out`;

/**
 * KEYS: claim, job, history, history index per run. ARGV: owner, maxRuns (0: no history),
 * maxAgeMs, then per run tick, fence, outcome, retainMs, record (JSON, '' for none). Returns 1 (recorded, also when already recorded under this fence) or 0 (taken over) per
 * run. The record goes to the job's history only when this call records the tick: a retry of a
 * completion that had landed adds nothing.
 */
export const COMPLETE = `${PRELUDE}
local owner, max_runs, max_age = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}
for i = 1, #KEYS / 4 do
  local ck, jk, hk, ik, a = KEYS[4 * i - 3], KEYS[4 * i - 2], KEYS[4 * i - 1], KEYS[4 * i], 3 + (i - 1) * 5
  local tick, fence, outcome, retain = ARGV[a + 1], tonumber(ARGV[a + 2]), ARGV[a + 3], tonumber(ARGV[a + 4])
  local record = ARGV[a + 5]
  local rec = redis.call('HMGET', ck, 'fence', 'state')
  local ok = 1
  if rec[2] == 'done' and tonumber(rec[1]) == fence then ok = 1
  elseif rec[2] and (tonumber(rec[1]) ~= fence or rec[2] ~= 'running') then ok = 0
  else
    if rec[2] then
      redis.call('HSET', ck, 'state', 'done', 'outcome', outcome)
    else
      -- The store lost the record: write it again, done, so nobody runs the tick again.
      redis.call('HSET', ck, 'owner', owner, 'fence', s(fence), 'lease', '0', 'state', 'done', 'retain', s(retain), 'outcome', outcome)
      if (tonumber(redis.call('HGET', jk, 'fence')) or 0) < fence then redis.call('HSET', jk, 'fence', s(fence)) end
    end
    -- Kept for the retention from now, so a late replica still finds the tick done.
    if redis.call('PTTL', ck) < retain then redis.call('PEXPIRE', ck, s(retain)) end
    redis.call('HDEL', jk, 'r:' .. tick)
    local last = redis.call('HGET', jk, 'last')
    if not last or tonumber(tick) > tonumber(last) then redis.call('HSET', jk, 'last', tick) end
    if max_runs > 0 and record ~= '' then
      local length = redis.call('LPUSH', hk, record)
      if length > max_runs then redis.call('LTRIM', hk, 0, max_runs - 1) end
      redis.call('PEXPIRE', hk, s(max_age))
      -- A new list joins its bucket's index (the job's name: the key after its tag, which cannot
      -- hold '}', and ':h:'); listRuns() drops names whose list has expired.
      if length == 1 then
        redis.call('SADD', ik, string.sub(hk, string.find(hk, '}', 1, true) + 4))
        redis.call('PEXPIRE', ik, s(max_age))
      end
    end
  end
  out[#out + 1] = ok
end
return out`;

/** KEYS: claim, job per claim. ARGV: owner, then per claim tick, fence. Gives the ticks up unfinished. */
export const RELEASE = `local owner = ARGV[1]
for i = 1, #KEYS / 2 do
  local ck, jk, a = KEYS[2 * i - 1], KEYS[2 * i], 1 + (i - 1) * 2
  local rec = redis.call('HMGET', ck, 'fence', 'state', 'owner')
  if rec[2] == 'running' and tonumber(rec[1]) == tonumber(ARGV[a + 2]) and rec[3] == owner then
    redis.call('HSET', ck, 'state', 'released', 'lease', '0')
    redis.call('HDEL', jk, 'r:' .. ARGV[a + 1])
  end
end
return 0`;

/**
 * KEYS: epoch, instances, replica info, replica catalogs. ARGV: instance id, session, ttlMs, a new
 * epoch (used when there is none), the replica's info (JSON, '' for none), its catalog (JSON, ''
 * to keep the one sent before), how long to keep a replica's details after its last beat.
 * Returns now, epoch, the session holding the id and its age (ms) — both nil when it is ours —
 * then the live instance ids. Registrations are fields "session seen expires" of one hash, expired
 * ones dropped as beats find them; details are "seen info", dropped once older than the last ARGV.
 */
export const HEARTBEAT = `${PRELUDE}
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  epoch = ARGV[4]
  redis.call('SET', KEYS[1], epoch)
end
local id, session, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
local info, catalog, keep = ARGV[5], ARGV[6], tonumber(ARGV[7])
local all = redis.call('HGETALL', KEYS[2])
local live, held_session, held_age = {}, false, false
for i = 1, #all, 2 do
  local s1, seen, expires = string.match(all[i + 1], '^(%S+) (%d+) (%d+)$')
  if not expires or tonumber(expires) <= now then
    redis.call('HDEL', KEYS[2], all[i])
  else
    if all[i] == id and s1 ~= session then held_session, held_age = s1, s(now - tonumber(seen)) end
    live[#live + 1] = all[i]
  end
end
if not held_session then
  redis.call('HSET', KEYS[2], id, session .. ' ' .. s(now) .. ' ' .. s(now + ttl))
  local known = false
  for _, other in ipairs(live) do if other == id then known = true end end
  if not known then live[#live + 1] = id end
  if info ~= '' then
    redis.call('HSET', KEYS[3], id, s(now) .. ' ' .. info)
    if catalog ~= '' then redis.call('HSET', KEYS[4], id, catalog) end
    local details = redis.call('HGETALL', KEYS[3])
    for i = 1, #details, 2 do
      local seen = tonumber(string.match(details[i + 1], '^(%d+) '))
      if not seen or seen + keep <= now then
        redis.call('HDEL', KEYS[3], details[i])
        redis.call('HDEL', KEYS[4], details[i])
      end
    end
  end
end
local out = {s(now), epoch, held_session, held_age}
for _, other in ipairs(live) do out[#out + 1] = other end
return out`;

/** KEYS: instances. ARGV: instance id, session. Drops the registration if it is this session's. */
export const LEAVE = `local held = redis.call('HGET', KEYS[1], ARGV[1])
if held and string.match(held, '^(%S+) ') == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0`;

/**
 * KEYS: instances, replica info, replica catalogs. ARGV: how long details are kept after the last
 * beat. Returns now, then per replica seen within that time: id, info ("seen json"), catalog (or
 * ''), 1 when its registration is live.
 */
export const REPLICAS = `${PRELUDE}
local keep = tonumber(ARGV[1])
local out = {s(now)}
local details = redis.call('HGETALL', KEYS[2])
for i = 1, #details, 2 do
  local id, value = details[i], details[i + 1]
  local seen = tonumber(string.match(value, '^(%d+) '))
  if seen and seen + keep > now then
    local reg = redis.call('HGET', KEYS[1], id)
    local expires = reg and tonumber(string.match(reg, ' (%d+)$'))
    out[#out + 1] = id
    out[#out + 1] = value
    out[#out + 1] = redis.call('HGET', KEYS[3], id) or ''
    out[#out + 1] = (expires and expires > now) and 1 or 0
  end
end
return out`;

/**
 * KEYS: controls. ARGV: how long a trigger request is kept. Returns now, then the fields and
 * values of the live controls: p:<pattern> -> "at until\nby\nreason" (until 0: none), t:<id> ->
 * "at job\nby". Drops pauses past their until and triggers past their time.
 */
export const CONTROLS = `${PRELUDE}
local ttl = tonumber(ARGV[1])
local all = redis.call('HGETALL', KEYS[1])
local out = {s(now)}
for i = 1, #all, 2 do
  local field, value = all[i], all[i + 1]
  local gone = false
  if string.sub(field, 1, 2) == 'p:' then
    local untl = tonumber(string.match(value, '^%d+ (%d+)\\n'))
    gone = untl ~= nil and untl > 0 and untl <= now
  else
    local at = tonumber(string.match(value, '^(%d+) '))
    gone = at == nil or at + ttl <= now
  end
  if gone then redis.call('HDEL', KEYS[1], field)
  else out[#out + 1] = field; out[#out + 1] = value end
end
return out`;

/** KEYS: controls. ARGV: pattern, forMs (0: until resumed), by, reason. Returns now (the pause's time). */
export const PAUSE = `${PRELUDE}
local for_ms = tonumber(ARGV[2])
local untl = 0
if for_ms > 0 then untl = now + for_ms end
redis.call('HSET', KEYS[1], 'p:' .. ARGV[1], s(now) .. ' ' .. s(untl) .. '\\n' .. ARGV[3] .. '\\n' .. ARGV[4])
return s(now)`;

/**
 * KEYS: controls. ARGV: id, job, by. Returns the request's time: now, or a millisecond after the
 * job's latest pending request (two requests are two runs, so two ticks).
 */
export const TRIGGER = `${PRELUDE}
local job = ARGV[2]
local at = now
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if string.sub(all[i], 1, 2) == 't:' then
    local t, j = string.match(all[i + 1], '^(%d+) ([^\\n]*)\\n')
    if j == job and tonumber(t) >= at then at = tonumber(t) + 1 end
  end
end
redis.call('HSET', KEYS[1], 't:' .. ARGV[1], s(at) .. ' ' .. job .. '\\n' .. ARGV[3])
return s(at)`;
