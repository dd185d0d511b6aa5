# Production image: compiled JavaScript and the built NOC console (dist/web), production
# dependencies only. The console's own packages (Vite, React, GraphiQL) are build-time only.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci installs exactly the lockfile and applies patches/ (postinstall: patch-package).
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json codegen.ts schema.graphql ./
COPY src ./src
COPY migrations ./migrations
COPY bench ./bench
# bench/query-limits.bench.ts measures the query limits on the attack tests' own queries.
COPY test/security/helpers/attack-queries.ts ./test/security/helpers/
# codegen types the console's operations (and the tests' ones, which it reads too).
COPY test/operations ./test/operations
COPY web ./web
RUN npm run build && npm run build:web && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json schema.graphql ./
USER node
EXPOSE 4000
# Young-generation semi-spaces of 32 to 64 MiB: CDR batches allocate tens of MB of short-lived objects
# (measured ~14% faster submitCdrs on 5,000-record batches with a 64 MiB cap than the 16 MiB default,
# ~4% faster than 32). The floor: V8 starts the semi-spaces at 1 MiB and grows them only as survivors
# pile up, so until then a batch's live records were copied by scavenge after scavenge; with 32 MiB
# from the start the app's GC time per batch fell from ~1.8 to ~1.1 ms at 1,000 records and from ~6.4
# to ~3.2 ms at 5,000 (CPU profiles of bench/cpu-vs-raw.js). bench/app-node-flags.json holds the same flags.
CMD ["node", "--max-semi-space-size=64", "--min-semi-space-size=32", "dist/src/main.js"]
