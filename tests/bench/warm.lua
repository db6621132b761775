-- warm.lua: the warm-up before the card scenario: every bench card once, in order, split
-- over the threads (BENCH_WRK_THREADS). A thread that has asked for its last card writes
-- BENCH_WARM_DONE.<tid>; ./dev bench then stops wrk (wrk itself always runs for -d).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")

local nthreads = tonumber(os.getenv("BENCH_WRK_THREADS") or "2")
local done_file = os.getenv("BENCH_WARM_DONE")
local next_i

function init(args)
   next_i = tid
end

function request()
   local i = next_i
   next_i = next_i + nthreads
   if i > bench.clients then
      if i - nthreads <= bench.clients and done_file then
         local f = io.open(done_file .. "." .. tid, "w")
         if f then f:write("done\n"); f:close() end
      end
      i = bench.clients -- keeps the connection busy until ./dev bench stops wrk
   end
   return bench.card_request_for(i)
end
