# Production image: compiled JavaScript, production dependencies only.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm install applies patches/ (postinstall: patch-package).
COPY patches ./patches
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
COPY bench ./bench
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json schema.graphql ./
USER node
EXPOSE 4000
# 64 MiB young-generation semi-spaces: CDR batches allocate tens of MB of short-lived objects
# (measured ~14% faster submitCdrs on 5,000-record batches than the 16 MiB default, ~4% faster than 32).
CMD ["node", "--max-semi-space-size=64", "dist/src/main.js"]
