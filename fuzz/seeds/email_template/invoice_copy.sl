sKopija dokumenta {{ order.number }}
Spoštovani {{ partner.name }},

kot ste želeli, vam pošiljamo kopijo dokumenta {{ order.number }} z dne {{ order.date }} v znesku {{ order.total }}. Stanje: {{ order.status }}.

Lep pozdrav,
{{ agent.name }}
{{ company.name }}