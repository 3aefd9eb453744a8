-- wrk script: every request is 16 GETs of the same path sent back to back (HTTP pipelining).
init = function(args)
  local r = {}
  for i = 1, 16 do r[i] = wrk.format(nil, wrk.path) end
  req = table.concat(r)
end
request = function() return req end
