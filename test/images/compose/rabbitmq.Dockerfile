# Stand-in for the rabbitmq:4-management image, which cannot be pulled here: Debian's rabbitmq-server
# (the broker the host runs too) on the project's locally built Debian base image. The compose file's
# own settings apply unchanged: hostname, RABBITMQ_DEFAULT_USER/PASS, enabled_plugins, healthcheck.
ARG NODE_IMAGE
FROM ${NODE_IMAGE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends rabbitmq-server \
    && rm -rf /var/lib/apt/lists/*
USER rabbitmq
EXPOSE 5672 15672 15692
CMD ["rabbitmq-server"]
