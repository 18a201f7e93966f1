# Shared by the benchmark scripts (sourced): a work folder removed at the end with every
# process started into `pids`, free ports, and nginx serving a folder as static files.

# Makes $work (readable by nginx's workers, which run as another user) and the cleanup.
# Scripts with more to undo define bench_cleanup_extra before calling this.
bench_setup() {
  work=$(mktemp -d "/tmp/boxoffice-$1.XXXXXX")
  chmod 755 "$work"
  pids=()
  trap bench_cleanup EXIT
}

bench_cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if declare -F bench_cleanup_extra >/dev/null; then bench_cleanup_extra; fi
  rm -rf "$work"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_static_nginx ROOT WORKERS PROBE_PATH: nginx serving ROOT on a free port (in
# $nginx_port), at its best for small hot files (descriptors and metadata cached, keep-alive
# without limit); exits unless PROBE_PATH answers 200.
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
  nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &
  pids+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$nginx_port$probe" >/dev/null && return; sleep 0.1; done
  echo "nginx does not serve $probe" >&2
  exit 1
}
