"""Media: the H.264/MP4 muxer, signed video links and the HTTP rules of a CDN; imports only `_http`."""
