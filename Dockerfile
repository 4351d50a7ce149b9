# Debian-based: Temporal's native core bridge has no musl (Alpine) build.
FROM node:24-bookworm-slim
ENV NODE_ENV=production
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
USER node
ENTRYPOINT ["node", "bin/shortfall.js"]
CMD ["server"]
