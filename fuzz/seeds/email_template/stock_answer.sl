sZaloga: {{ product.name }}
Pozdravljeni,

hvala za vaše vprašanje. Izdelka {{ product.name }} ({{ product.code }}) imamo trenutno na zalogi {{ product.stock }}; cena je {{ product.price }}.

Lep pozdrav,
{{ agent.name }}
{{ company.name }}