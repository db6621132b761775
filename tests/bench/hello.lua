-- hello.lua: the baseline: GET /bench/hello (the fixed body of hello-fcgi), nothing else
-- (the URL given to wrk is the request); counted like the scenarios.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
