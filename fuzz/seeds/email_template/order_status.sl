sVaše naročilo {{ order.number }}
Spoštovani {{ partner.name }},

hvala za vaše sporočilo. Stanje vašega naročila {{ order.number }} z dne {{ order.date }}: {{ order.status }}. Naročilo vsebuje {{ order.items }}, skupaj {{ order.total }}.

Lep pozdrav,
{{ agent.name }}
{{ company.name }}