# Shared by the benchmark scripts (sourced): a work folder removed at the end with every
# process started into `pids`, free ports, and nginx serving a folder as static files.

# Makes $work (readable by nginx's workers, which run as another user) and the cleanup.
# Scripts with more to undo define bench_cleanup_extra before calling this.
bench_setup() {
  work=$(mktemp -d "/tmp/boxoffice-$1.XXXXXX")
  chmod 755 "$work"
  pids=()
  server_pin=() client_pin=()
  trap bench_cleanup EXIT
}

bench_cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if declare -F bench_cleanup_extra >/dev/null; then bench_cleanup_extra; fi
  rm -rf "$work"
}

# pin_cores SERVER_THREADS CLIENT_THREADS: sets the arrays server_pin and client_pin, command
# prefixes that keep the servers (boxoffice and its yardstick, one at a time) and the load tool
# on cores of their own when the machine has enough for both; else both are empty. Unpinned on
# a 2-core virtual machine, the same run varied from 32,000 to 59,000 requests a second as the
# scheduler moved the server and wrk onto one core and apart again; pinned, within a few %.
pin_cores() {
  local server=$1 client=$2 cores
  cores=$(nproc)
  server_pin=() client_pin=()
  if ((server + client <= cores)); then
    server_pin=(taskset -c "0-$((server - 1))")
    client_pin=(taskset -c "$server-$((server + client - 1))")
  fi
}

# boxoffice's per-client limits, off: every benchmark drives the server from one address as fast
# as it answers (wrk, sse_load), and the yardsticks have no such limits. What they cost is
# measured apart (bench/README.md).
client_limits_off=(--rate-limit all=off --connections-per-client 0)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_static_nginx ROOT WORKERS PROBE_PATH: nginx serving ROOT on a free port (in
# $nginx_port; its master process is the last of $pids), on the cores of server_pin (see pin_cores), at its best for small hot files
# (descriptors and metadata cached, keep-alive without limit); exits unless PROBE_PATH answers
# 200.
start_static_nginx() {
  local root=$1 workers=$2 probe=$3
  mkdir -p "$work/nginx"
  nginx_port=$(free_port)
  cat >"$work/nginx/nginx.conf" <<CONF
worker_processes $workers;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/json;
  keepalive_requests 1000000;
  open_file_cache max=1000 inactive=60s;
  open_file_cache_valid 60s;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  server { listen 127.0.0.1:$nginx_port; root $root; etag on; }
}
CONF
  "${server_pin[@]}" nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &
  pids+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$nginx_port$probe" >/dev/null && return; sleep 0.1; done
  echo "nginx does not serve $probe" >&2
  exit 1
}
