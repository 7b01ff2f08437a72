"""Names and words for the generated people and places (invented, no real person)."""

FIRST_NAMES = [
    "Camille", "Louis", "Hélène", "Nadia", "Thomas", "Sophie", "Jean", "Marie", "Pierre",
    "Isabelle", "Philippe", "Nathalie", "Michel", "Catherine", "Alain", "Sylvie", "Patrick",
    "Christine", "Nicolas", "Valérie", "François", "Sandrine", "Laurent", "Véronique",
    "Stéphane", "Anne", "Christophe", "Martine", "Éric", "Monique", "Olivier", "Brigitte",
    "David", "Céline", "Julien", "Aurélie", "Sébastien", "Émilie", "Karim", "Aïcha", "Yann",
    "Léa", "Hugo", "Inès", "Mathieu", "Julie", "Lucas", "Emma", "Mehdi", "Manon", "Bernard",
    "Chantal", "Gérard", "Josiane", "Daniel", "Odile", "Claude", "Maryse", "Rémi", "Annick",
    "Fatima", "Samir", "Gaëlle", "Loïc", "Maëlle", "Erwan", "Soizic", "Ludovic", "Coralie",
    "Jérôme", "Agnès", "Thierry", "Pascale", "Guillaume", "Élodie", "Benoît", "Cécile",
]
LAST_NAMES = [
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
    "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
    "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent",
    "Muller", "Lefèvre", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier",
    "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin", "Clément",
    "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Marchand",
    "Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier",
    "Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard",
    "Barbier", "Arnaud", "Martinez", "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Leroux",
    "Colin", "Vidal", "Caron", "Picard", "Roger", "Fabre", "Aubert", "Lemoine", "Renaud",
    "Dumas", "Lacroix", "Olivier", "Philippe", "Bourgeois", "Pierre", "Benoît", "Rey",
    "Le Gall", "Kerouac'h", "Haddad", "Benali", "Diallo", "Nguyen", "Da Silva", "Ferreira",
]
ASSOCIATIONS = ["Association Clic & Lien", "Les Petits Débrouillards", "Emmaüs Connect",
                "Centre social", "Familles rurales", "Maison des jeunes et de la culture",
                "Foyer rural", "Secours populaire", "Ligue de l'enseignement"]
COMPANIES = ["Numérique Solidaire SAS", "Coopérative numérique SCIC", "Médiation & Co",
             "Atelier numérique SARL"]
OTHER_PUBLIC = ["Centre communal d'action sociale", "GIP Territoires numériques",
                "Centre hospitalier", "Syndicat mixte numérique", "Office de tourisme"]
PLACES = ["Médiathèque", "France services", "Mairie", "Centre social",
          "Espace public numérique", "Maison des solidarités", "Tiers-lieu", "Bibliothèque"]
STREETS = ["place de la Mairie", "rue de la République", "avenue Jean Jaurès",
           "rue Victor Hugo", "place du Marché", "rue de l'Église", "rue des Écoles",
           "boulevard Gambetta", "rue Pasteur", "place de la Libération"]
REDIRECTIONS = ["France services", "CCAS de la commune", "Mission locale", "France Travail",
                "Caisse d'allocations familiales", "Assurance maladie", "Point justice"]
WORKSHOP_TITLES = ["Premiers pas sur smartphone", "Créer et gérer son adresse électronique",
                   "Les démarches en ligne de la CAF", "Repérer les arnaques en ligne",
                   "Garder le contact en visioconférence", "Ranger ses photos et documents"]
TRAINERS = ["Claire Rousseau (Sciences Po Executive Education)",
            "Marc Lemoine (Banque des Territoires)", "Anne Leroy (ANCT)",
            "Yann Kerouac'h (ANCT)", "Fatima Haddad (CNFPT)", "Rémi Fabre (Cerema)"]
