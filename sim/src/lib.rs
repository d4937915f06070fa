//! ccsim's simulator: it will turn scenario files into event logs (arrivals, routing, offers,
//! abandonment, agent behaviour), writing only events through the engine's codecs. The
//! crate is part of the workspace layout now and gains its kernel with the simulator issue.
