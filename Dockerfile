# xiaozhi-web gateway (+ optional devserver) — Node 20, runs TypeScript through tsx (no build step for
# Node code); the web app is built into dist/web in a separate stage.
# Build:  docker build -t xiaozhi-web .
# Run:    docker run --rm -p 8080:8080 -e ACCESS_KEY=$(openssl rand -hex 16) -v xiaozhi-data:/data xiaozhi-web

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM deps AS web
COPY tsconfig.json ./
COPY web ./web
COPY src/protocol ./src/protocol
RUN npm run build:web

FROM node:20-bookworm-slim AS runtime
# openssl: only for --tls-self-signed; tini: forwards SIGTERM so the gateway can drain (1012 to clients).
RUN apt-get update && apt-get install -y --no-install-recommends openssl tini ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/data
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY --from=web /app/dist/web ./dist/web
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# HOST=0.0.0.0 inside the container: the gateway refuses to start without ACCESS_KEY unless
# ALLOW_OPEN_GATEWAY=1 (e.g. when only a reverse proxy on a private network can reach it).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node_modules/.bin/tsx", "src/gateway/main.ts"]
