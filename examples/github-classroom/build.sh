#!/usr/bin/env bash
# The assignment: build it with docker commands below, commit, push.
#
# - a user-defined bridge network `appnet`;
# - `db` on it, listening on port 5432, NOT published on the host;
# - `web` on it, serving HTTP on port 5000, published on 127.0.0.1:8000 only.
#
# Use the course's lab image (labcheck/lab:1, made by `labcheck doctor`):
#   httpd -f -p PORT   serves HTTP on PORT (use it to make db listen on 5432)
set -euo pipefail

# TODO: your commands here, for example
# docker network create ...
# docker run -d --name db ... labcheck/lab:1 httpd -f -p 5432
