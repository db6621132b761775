-- card.lua: GET /api/v1/cards/{n} for random bench cards (after ./dev bench's warm-up
-- pass, every card document is in the cache).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")

function init(args)
   bench.seed()
end

function request()
   return bench.card_request()
end
