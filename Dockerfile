# Multi-stage build: compile in the official Rust image, run on a slim Debian.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY migrations ./migrations
COPY benches ./benches
COPY examples ./examples
RUN cargo build --release --locked --bin crm-mind

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/crm-mind --create-home crm-mind
COPY --from=build /src/target/release/crm-mind /usr/local/bin/crm-mind
COPY prompts /usr/share/crm-mind/prompts
USER crm-mind
WORKDIR /var/lib/crm-mind
ENV CRM_MIND_BIND=0.0.0.0:8080 \
    CRM_MIND_DATA_DIR=/var/lib/crm-mind/data
EXPOSE 8080
ENTRYPOINT ["crm-mind"]
CMD ["serve"]
