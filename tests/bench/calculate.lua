-- calculate.lua: POST /api/v1/purchases/calculate, 10 lines, a random bench card.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")

function init(args)
   bench.seed()
end

function request()
   return bench.calculate_request()
end
