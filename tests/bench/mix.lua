-- mix.lua: the POS mix: 70 % card lookups, 20 % calculations, 10 % confirmed purchases.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")

function init(args)
   bench.seed()
end

function request()
   local r = math.random()
   if r < 0.70 then
      return bench.card_request()
   elseif r < 0.90 then
      return bench.calculate_request()
   end
   return bench.confirm_request()
end
