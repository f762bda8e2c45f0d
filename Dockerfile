# syntax=docker/dockerfile:1
# certwright controller image: `docker build -t certwright .`
# Stage 1 compiles the TypeScript and keeps only production dependencies; stage 2 is distroless
# Node.js (no shell, no package manager) running as the unprivileged user 65532.

ARG NODE_MAJOR=22

FROM node:${NODE_MAJOR}-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied.
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
# Only what `certwright` runs; tests, benchmarks and the chart generator stay out of the image.
COPY api ./api
COPY pki ./pki
COPY apiserver ./apiserver
COPY controller ./controller
COPY issuers ./issuers
COPY solvers ./solvers
COPY cli ./cli
RUN npx tsc -p tsconfig.json && npm prune --omit=dev

FROM gcr.io/distroless/nodejs${NODE_MAJOR}-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production
# package.json carries "type": "module", which Node needs to load dist/ as ES modules.
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY crds ./crds
USER 65532:65532
# The chart passes `run` and its flags as args.
ENTRYPOINT ["/nodejs/bin/node", "/app/dist/cli/main.js"]
CMD ["run"]
