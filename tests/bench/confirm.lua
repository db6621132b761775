-- confirm.lua: POST /api/v1/purchases: a confirmed purchase of 10 lines on a random bench
-- card that spends 5.00 points and accrues; every request a new receipt id
-- (run nonce + thread + counter).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")

function init(args)
   bench.seed()
end

function request()
   return bench.confirm_request()
end
