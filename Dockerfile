FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY src/database/migrations ./src/database/migrations
COPY templates ./templates
USER node
EXPOSE 3000
# As `npm run start:dist`: a small young generation keeps an import's buffers from piling up (README).
CMD ["node", "--max-semi-space-size=2", "dist/main.js"]
