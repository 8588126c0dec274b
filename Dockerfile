# The bot as a small container image: compiled JavaScript on Node 24, no compiler or dev packages,
# run as the unprivileged "node" user. Build: docker build -t ngo-bot .   (docs/deploy.md)

# ---- build: install everything, generate the Prisma client, compile, then drop the dev packages
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts tsconfig.json tsconfig.build.json ./
COPY src ./src
# postinstall generates the Prisma client into src/platform/db/generated (no download: src/cli/prisma-generate.ts).
RUN npm ci --no-audit --no-fund
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# ---- run: what `npm start` runs, and nothing else
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    TZ=Asia/Tehran \
    DATA_DIR=/data \
    HTTP_PORT=8080
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node prisma ./prisma
COPY --chown=node:node locales ./locales
# The embedded database (when DATABASE_URL is unset) lives here; mount a volume on it.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The same flags as `npm start` (package.json); main.ts sets the rest of V8's at start-up.
CMD ["node", "--max-semi-space-size=16", "dist/main.js"]
