FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The image's npm 10 reads no allowScripts: no dependency's install script is needed (package.json's
# allowScripts denies each; npm 11 skips them), and @scarf/scarf's would report the build to its vendor.
RUN npm ci --no-audit --no-fund --ignore-scripts
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
