# Debian-based: Temporal's native core bridge has no musl (Alpine) build.
FROM node:24-bookworm-slim
# How every Shortfall process runs Node (bin/process-settings.js; bin/shortfall.js applies them when missing): V8
# sizes its young generation from the host's memory (64 MB semi-spaces on a 24 GB host, kept once grown) and glibc
# gives each thread its own malloc arena; capped, a process idles ~110 MB lower (README, performance). The malloc
# setting is set here and the V8 flags on the entry point's command line (Node refuses one of them in NODE_OPTIONS),
# so the entry point need not start Node again to apply them.
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    SHORTFALL_DATA_DIR=/app/.shortfall
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY bin ./bin
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY integrations ./integrations
COPY tsconfig.json ./
COPY scripts/build-workflow-bundle.ts ./scripts/
# The workflow bundle is built here, once, so no running worker runs webpack (src/app/temporal/workflow-bundle.ts).
RUN node --import tsx scripts/build-workflow-bundle.ts
# The data directory belongs to the user the processes run as, private to it (a named volume mounted here starts
# as a copy of it, with the same owner and mode).
RUN mkdir -p /app/.shortfall && chown node:node /app/.shortfall && chmod 700 /app/.shortfall
USER node
VOLUME ["/app/.shortfall"]
# bin/shortfall.js starts Node as every Shortfall process runs (bin/process-settings.js: a bounded V8 young
# generation, two malloc arenas), so the server, the worker and their health checks need no settings here.
ENTRYPOINT ["node", "--max-semi-space-size=16", "--heap-growing-percent=50", "bin/shortfall.js"]
CMD ["server"]
