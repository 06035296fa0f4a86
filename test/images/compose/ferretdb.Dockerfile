# Stand-in for the mongo:8 image, which cannot be pulled here: FerretDB (the MongoDB-compatible server
# the host runs, scripts/install-ferretdb.sh) with its SQLite backend, in the compose file's data volume.
ARG NODE_IMAGE
FROM ${NODE_IMAGE}
COPY ferretdb /usr/local/bin/ferretdb
RUN mkdir -p /data/db && chown 1000:1000 /data/db
# docker-compose.yml passes mongod's arguments (--replSet rs0 --bind_ip_all): FerretDB has no replica
# sets, so the entrypoint ignores them.
RUN printf '%s\n' '#!/bin/sh' \
      'exec ferretdb --listen-addr=0.0.0.0:27017 --handler=sqlite --sqlite-url=file:/data/db/ \' \
      '  --state-dir=/data/db --telemetry=disable --debug-addr=- --log-level=warn' \
      > /usr/local/bin/ferretdb-entrypoint \
    && chmod 0755 /usr/local/bin/ferretdb-entrypoint
USER 1000:1000
EXPOSE 27017
ENTRYPOINT ["/usr/local/bin/ferretdb-entrypoint"]
CMD []
