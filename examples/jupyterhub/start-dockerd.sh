# Sourced as root by docker-stacks' start.sh (before-notebook.d) in each student's
# single-user container: start the student's own Docker daemon and wait for it.
# See docs/large-classes.md. The daemon uses /etc/docker/daemon.json (the course's
# scripts/daemon.json: its own address pools, and lab DNS on 10.213.0.1).
if ! docker info >/dev/null 2>&1; then
    dockerd >/var/log/dockerd.log 2>&1 &
    for _ in $(seq 1 60); do
        docker info >/dev/null 2>&1 && break
        sleep 0.5
    done
    if [ -f /home/"${NB_USER:-jovyan}"/course/scripts/lab-dns.py ]; then
        python3 /home/"${NB_USER:-jovyan}"/course/scripts/lab-dns.py 10.213.0.1 >/var/log/lab-dns.log 2>&1 &
    fi
fi
