# syntax=docker/dockerfile:1
# Build stage: native modules (sqlite3 compiles from source; serialport ships its binding) and tsc.
FROM node:24-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY base ./base
COPY gateway ./gateway
COPY shell ./shell
COPY adapters ./adapters
COPY cloud-bridge ./cloud-bridge
COPY simulators ./simulators
COPY config ./config
COPY bench ./bench
COPY console ./console
RUN npm run build && npm prune --omit=dev

# Runtime stage: no compiler, a non-root user in the dialout group (serial ports), config and
# journal on volumes.
FROM node:24-bookworm-slim
ENV NODE_ENV=production
# A capped heap is collected before RSS grows: about 150 MB while draining a 1,000,000-event backlog
# (about 245 MB with node's defaults). A 16 MB semi-space lets a group commit's events die young
# instead of being promoted: about a third more durable ingest and drain than with 4 MB, for 20-25 MB
# more RSS. See BENCHMARKS.md.
ENV NODE_OPTIONS="--max-old-space-size=96 --max-semi-space-size=16"
# glibc gives each thread that mallocs under contention its own arena (up to 8 per core), each
# kept at its high-water mark; SQLite runs on libuv's four pool threads, so RSS grew by tens of MB
# with how many arenas the commits touched. Two arenas bound that; see BENCHMARKS.md.
ENV MALLOC_ARENA_MAX=2
RUN groupadd --system pingan \
 && useradd --system --gid pingan --groups dialout --home-dir /var/lib/pingan --shell /usr/sbin/nologin pingan \
 && mkdir -p /var/lib/pingan /etc/pingan \
 && chown pingan:pingan /var/lib/pingan
WORKDIR /opt/pingan
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER pingan
# /etc/pingan: gateway.yaml (and certificates); /var/lib/pingan: the journal (journal.path there).
VOLUME ["/etc/pingan", "/var/lib/pingan"]
EXPOSE 1883 8080
HEALTHCHECK --interval=30s --timeout=5s CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PINGAN_API_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/shell/cli.js"]
CMD ["run", "--config", "/etc/pingan/gateway.yaml"]
