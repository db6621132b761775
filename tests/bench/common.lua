-- common.lua: shared by the wrk scripts of ./dev bench (each script loads it with dofile).
--
-- Environment (set by ./dev bench):
--   BENCH_DIR       this folder
--   BENCH_CLIENTS   how many bench clients exist (cards 3000000000001 .. 3000000000000 + N)
--   BENCH_KEY       a POS API key (key_id.secret) for the Bearer header
--   BENCH_NONCE     unique per bench run: part of every receipt id
--   BENCH_SCENARIO  the scenario's name: part of every receipt id
--
-- Counts every response that is not 2xx (and keeps the first one of each thread as a
-- sample), and prints one line "BENCH_RESULT {json}" at the end for ./dev bench to parse.

bench = {}
bench.clients = tonumber(os.getenv("BENCH_CLIENTS") or "100000")
bench.key = os.getenv("BENCH_KEY") or ""
bench.nonce = os.getenv("BENCH_NONCE") or tostring(os.time())
bench.scenario = os.getenv("BENCH_SCENARIO") or "bench"

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("tid", #threads)
end

-- per thread (each thread has its own Lua state)
tid = 0
bad = 0
first_bad = nil
seq = 0

function bench.seed()
   -- distinct random streams per thread and per run
   local s = 0
   for c in (bench.nonce .. ":" .. tid):gmatch(".") do s = (s * 31 + c:byte()) % 2147483647 end
   math.randomseed(s + tid * 7919)
   for _ = 1, 10 do math.random() end
end

-- The card number of bench client i.
function bench.card(i)
   return string.format("3%012d", i)
end

function bench.random_card()
   return bench.card(math.random(1, bench.clients))
end

-- Ten receipt lines (about 1,750.00 in all).
local lines = {}
for n = 1, 10 do
   lines[#lines + 1] = string.format(
      '{"line_no":%d,"sku":"SKU-%03d","name":"Item %d","qty":%s,"price":"%d.90"}',
      n, n, n, (n % 3 == 0) and '"1.5"' or '1', 50 + n * 20)
end
bench.lines = "[" .. table.concat(lines, ",") .. "]"

local function post(path, body)
   return wrk.format("POST", path, {
      ["Authorization"] = "Bearer " .. bench.key,
      ["Content-Type"] = "application/json",
   }, body)
end

function bench.calculate_request()
   return post("/api/v1/purchases/calculate",
      '{"card":"' .. bench.random_card() .. '","lines":' .. bench.lines .. '}')
end

-- A confirmed purchase that spends a few points and accrues; a new receipt id every time.
function bench.confirm_request()
   seq = seq + 1
   local receipt = string.format("bench-%s-%s-%d-%d", bench.nonce, bench.scenario, tid, seq)
   return post("/api/v1/purchases",
      '{"receipt_id":"' .. receipt .. '","store_id":"bench","pos_id":"pos-' .. tid ..
      '","card":"' .. bench.random_card() .. '","points_to_spend":"5.00","lines":' ..
      bench.lines .. '}')
end

-- GET /cards/{n}: the request is built once and only the number changes.
local card_prefix, card_suffix
function bench.card_request_for(i)
   if not card_prefix then
      local tpl = wrk.format("GET", "/api/v1/cards/@@CARD@@",
         {["Authorization"] = "Bearer " .. bench.key})
      card_prefix, card_suffix = tpl:match("^(.-)@@CARD@@(.*)$")
   end
   return card_prefix .. bench.card(i) .. card_suffix
end

function bench.card_request()
   return bench.card_request_for(math.random(1, bench.clients))
end

-- Paced runs (BENCH_RATE set): requests leave at a fixed total rate instead of as fast as
-- the server answers. Each thread hands out send times ("slots") BENCH_THREADS / BENCH_RATE
-- seconds apart; a connection that has its answer takes the next free slot and waits for
-- it (wrk's delay(), whole milliseconds, so a request may leave up to 1 ms early). When
-- every connection is busy the slots fall behind and are not made up later: the run then
-- falls short of the rate, which ./dev bench reports (it checks the achieved rate).
bench.rate = tonumber(os.getenv("BENCH_RATE") or "")
if bench.rate and bench.rate > 0 then
   local ffi = require("ffi")
   ffi.cdef [[
      typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
      int clock_gettime(int clock_id, bench_timespec *tp);
   ]]
   local ts = ffi.new("bench_timespec")
   local function now_ms()
      ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
      return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
   end
   local interval = 1000 * tonumber(os.getenv("BENCH_THREADS") or "2") / bench.rate
   local next_slot = nil
   function delay()
      local now = now_ms()
      -- a slot more than one interval in the past is dropped, not sent in a burst
      if not next_slot or next_slot < now - interval then next_slot = now end
      local wait = next_slot - now
      next_slot = next_slot + interval
      return math.floor(wait)
   end
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      bad = bad + 1
      if not first_bad then
         first_bad = tostring(status) .. " " .. string.sub(body or "", 1, 300)
      end
   end
end

local function json_string(s)
   s = s:gsub('[%c"\\]', function(c)
      if c == '"' then return '\\"' end
      if c == "\\" then return "\\\\" end
      return string.format("\\u%04x", c:byte())
   end)
   return '"' .. s .. '"'
end

function done(summary, latency, requests)
   local nbad, sample = 0, ""
   for _, t in ipairs(threads) do
      nbad = nbad + (t:get("bad") or 0)
      local s = t:get("first_bad")
      if s and sample == "" then sample = s end
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_RESULT {"requests": %d, "duration_us": %d, "non2xx": %d, "connect_errors": %d, ' ..
      '"read_errors": %d, "write_errors": %d, "timeouts": %d, "status_errors": %d, ' ..
      '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, "sample": %s}\n',
      summary.requests, summary.duration, nbad, e.connect, e.read, e.write, e.timeout, e.status,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      latency.mean, json_string(sample)))
end
