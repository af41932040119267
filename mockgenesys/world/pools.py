"""Word pools the world generator draws from with the world's seeded RNG.

Fixed data, not Faker: a seed's world is the same on every machine and every Faker version, and
drawing from tuples costs microseconds where Faker's format parser cost milliseconds per world.
"""

from __future__ import annotations

FIRST_NAMES: tuple[str, ...] = (
    "Aaron", "Abigail", "Adam", "Adrian", "Aisha", "Alan", "Albert", "Alexa", "Alice", "Alicia",
    "Allison", "Amanda", "Amber", "Amy", "Andre", "Andrea", "Andrew", "Angela", "Anna", "Anthony",
    "Antonio", "Ashley", "Austin", "Barbara", "Benjamin", "Beth", "Brandon", "Brenda", "Brian", "Brittany",
    "Bruce", "Caleb", "Carl", "Carlos", "Carmen", "Carol", "Caroline", "Catherine", "Chad", "Charles",
    "Chelsea", "Cheryl", "Christian", "Christina", "Christopher", "Cindy", "Claire", "Colin", "Connor", "Courtney",
    "Craig", "Crystal", "Cynthia", "Dale", "Daniel", "Danielle", "David", "Dawn", "Deborah", "Denise",
    "Dennis", "Derek", "Diana", "Diane", "Dominic", "Donald", "Donna", "Douglas", "Dylan", "Edward",
    "Elena", "Elijah", "Elizabeth", "Emily", "Emma", "Eric", "Erica", "Erin", "Ethan", "Evan",
    "Felicia", "Frances", "Frank", "Gabriel", "Gail", "Gary", "George", "Gloria", "Grace", "Gregory",
    "Hannah", "Harold", "Heather", "Helen", "Henry", "Holly", "Ian", "Isaac", "Jack", "Jacob",
    "Jacqueline", "James", "Janet", "Jason", "Javier", "Jeffrey", "Jennifer", "Jeremy", "Jesse", "Jessica",
    "Joan", "Joel", "John", "Jonathan", "Jordan", "Jose", "Joseph", "Joshua", "Joyce", "Juan",
    "Julia", "Julie", "Justin", "Karen", "Katherine", "Kathleen", "Keith", "Kelly", "Kenneth", "Kevin",
    "Kimberly", "Kristen", "Kyle", "Laura", "Lauren", "Lawrence", "Leah", "Linda", "Lisa", "Logan",
    "Lori", "Lucas", "Luis", "Madison", "Marcus", "Margaret", "Maria", "Marie", "Mark", "Martha",
    "Martin", "Mary", "Matthew", "Megan", "Melissa", "Michael", "Michelle", "Miguel", "Monica", "Nancy",
    "Natalie", "Nathan", "Nicholas", "Nicole", "Noah", "Olivia", "Oscar", "Pamela", "Patricia", "Patrick",
    "Paul", "Peter", "Philip", "Rachel", "Ralph", "Randy", "Raymond", "Rebecca", "Regina", "Richard",
    "Robert", "Robin", "Roger", "Ronald", "Rose", "Ruth", "Ryan", "Samantha", "Samuel", "Sandra",
    "Sara", "Scott", "Sean", "Sharon", "Shawn", "Stephanie", "Stephen", "Steven", "Susan", "Tammy",
    "Tanya", "Teresa", "Terry", "Thomas", "Tiffany", "Timothy", "Tina", "Todd", "Tracy", "Travis",
    "Tyler", "Valerie", "Vanessa", "Victor", "Victoria", "Vincent", "Walter", "Wayne", "Wendy", "William",
    "Xavier", "Yolanda", "Zachary", "Zoe",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Adams", "Aguilar", "Allen", "Alvarez", "Anderson", "Armstrong", "Bailey", "Baker", "Barnes", "Bell",
    "Bennett", "Black", "Boyd", "Bradley", "Brooks", "Brown", "Bryant", "Burns", "Butler", "Campbell",
    "Carter", "Castillo", "Chavez", "Clark", "Cole", "Coleman", "Collins", "Cook", "Cooper", "Cox",
    "Crawford", "Cruz", "Daniels", "Davis", "Diaz", "Dixon", "Duncan", "Dunn", "Edwards", "Elliott",
    "Ellis", "Evans", "Ferguson", "Fisher", "Flores", "Ford", "Foster", "Fox", "Freeman", "Garcia",
    "Gardner", "Gibson", "Gomez", "Gonzalez", "Gordon", "Graham", "Grant", "Gray", "Green", "Griffin",
    "Hall", "Hamilton", "Harris", "Harrison", "Hart", "Hawkins", "Hayes", "Henderson", "Henry", "Hernandez",
    "Hill", "Holmes", "Howard", "Hudson", "Hughes", "Hunt", "Hunter", "Jackson", "James", "Jenkins",
    "Johnson", "Jones", "Jordan", "Kelly", "Kennedy", "Kim", "King", "Knight", "Lane", "Lee",
    "Lewis", "Long", "Lopez", "Marshall", "Martin", "Martinez", "Mason", "Matthews", "Mcdonald", "Medina",
    "Meyer", "Miller", "Mills", "Mitchell", "Moore", "Morales", "Morgan", "Morris", "Murphy", "Murray",
    "Myers", "Nelson", "Nguyen", "Nichols", "Olson", "Ortiz", "Owens", "Palmer", "Parker", "Patel",
    "Patterson", "Payne", "Perez", "Perry", "Peters", "Phillips", "Pierce", "Porter", "Powell", "Price",
    "Ramirez", "Ramos", "Reed", "Reyes", "Reynolds", "Rice", "Richardson", "Rivera", "Roberts", "Robertson",
    "Robinson", "Rodriguez", "Rogers", "Ross", "Russell", "Sanchez", "Sanders", "Schmidt", "Scott", "Shaw",
    "Simmons", "Simpson", "Smith", "Snyder", "Spencer", "Stephens", "Stevens", "Stewart", "Stone", "Sullivan",
    "Taylor", "Thomas", "Thompson", "Torres", "Tucker", "Turner", "Walker", "Wallace", "Ward", "Warren",
    "Washington", "Watson", "Webb", "Wells", "West", "White", "Williams", "Willis", "Wilson", "Wood",
    "Woods", "Wright", "Young",
)  # fmt: skip

JOB_TITLES: tuple[str, ...] = (
    "Account Executive", "Accountant", "Administrative Assistant", "Architect", "Bookkeeper",
    "Brand Manager", "Business Analyst", "Buyer", "Chief Financial Officer", "Chief Operating Officer",
    "Civil Engineer", "Claims Adjuster", "Clinical Research Associate", "Communications Officer",
    "Compliance Officer", "Consultant", "Content Strategist", "Controller", "Copywriter",
    "Customer Success Manager", "Data Analyst", "Data Engineer", "Database Administrator",
    "Dental Hygienist", "Designer", "Director of Operations", "Economist", "Editor",
    "Electrical Engineer", "Event Planner", "Facilities Manager", "Financial Advisor",
    "Financial Analyst", "Graphic Designer", "Health Visitor", "Human Resources Manager",
    "Insurance Underwriter", "IT Support Specialist", "Journalist", "Lawyer", "Librarian",
    "Logistics Coordinator", "Marketing Manager", "Mechanical Engineer", "Network Engineer",
    "Nurse", "Office Manager", "Operations Analyst", "Paralegal", "Pharmacist", "Physiotherapist",
    "Procurement Specialist", "Product Manager", "Project Manager", "Psychologist",
    "Quality Assurance Analyst", "Quantity Surveyor", "Recruiter", "Research Scientist",
    "Retail Manager", "Sales Representative", "Security Analyst", "Site Reliability Engineer",
    "Social Worker", "Software Engineer", "Solutions Architect", "Statistician", "Supply Chain Manager",
    "Systems Administrator", "Tax Advisor", "Teacher", "Technical Writer", "Translator",
    "Travel Agent", "UX Researcher", "Veterinarian", "Warehouse Supervisor", "Web Developer",
)  # fmt: skip

COMPANY_SUFFIXES: tuple[str, ...] = ("Inc", "LLC", "Group", "PLC", "Ltd", "and Sons", "Partners", "Holdings")

STREET_NAMES: tuple[str, ...] = (
    "Adams", "Ash", "Aspen", "Bay", "Birch", "Bridge", "Broad", "Cedar", "Center", "Cherry",
    "Church", "Cleveland", "College", "Cypress", "Dogwood", "Elm", "Forest", "Franklin", "Garden", "Grant",
    "Green", "Hickory", "High", "Highland", "Hill", "Jackson", "Jefferson", "Lake", "Laurel", "Lincoln",
    "Madison", "Magnolia", "Main", "Maple", "Meadow", "Mill", "Monroe", "Oak", "Orchard", "Park",
    "Pine", "Pleasant", "Poplar", "Prospect", "Ridge", "River", "Spring", "Spruce", "Sunset", "Sycamore",
    "Union", "Valley", "Walnut", "Washington", "Water", "Willow", "Wilson", "Woodland",
)  # fmt: skip

STREET_SUFFIXES: tuple[str, ...] = (
    "Avenue", "Boulevard", "Circle", "Court", "Drive", "Lane", "Parkway", "Place", "Road", "Street",
    "Terrace", "Trail", "Way",
)  # fmt: skip

CITIES: tuple[str, ...] = (
    "Albany", "Arlington", "Asheville", "Athens", "Aurora", "Austin", "Bakersfield", "Bellevue", "Boise",
    "Boulder", "Bridgeport", "Burlington", "Cambridge", "Charleston", "Chattanooga", "Chesapeake",
    "Clarksville", "Columbia", "Concord", "Dayton", "Denton", "Durham", "Eugene", "Evansville", "Fairfield",
    "Fargo", "Fort Collins", "Franklin", "Fremont", "Georgetown", "Glendale", "Greenville", "Hampton",
    "Hartford", "Henderson", "Huntsville", "Irvine", "Jackson", "Knoxville", "Lafayette", "Lakewood",
    "Lancaster", "Lexington", "Lincoln", "Madison", "Manchester", "Marion", "Milford", "Montgomery",
    "Naperville", "Newport", "Norman", "Oakland", "Olympia", "Ontario", "Orlando", "Pasadena", "Peoria",
    "Plano", "Portland", "Providence", "Provo", "Raleigh", "Reno", "Richmond", "Riverside", "Rochester",
    "Salem", "Savannah", "Scottsdale", "Spokane", "Springfield", "Stamford", "Tacoma", "Tempe", "Toledo",
    "Tucson", "Tulsa", "Vancouver", "Waco", "Wichita", "Wilmington", "Worcester",
)  # fmt: skip

STATE_CODES: tuple[str, ...] = (
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
    "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND",
    "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
)  # fmt: skip

WEB_SUFFIXES: tuple[str, ...] = ("com", "com", "com", "net", "org", "biz", "info")

FREE_EMAIL_DOMAINS: tuple[str, ...] = ("gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com")

CUSTOMER_LINES: tuple[str, ...] = (
    "Is my order still being processed?",
    "I was charged twice for the same order.",
    "Can I change the delivery address?",
    "The tracking link does not work.",
    "How long does a refund take?",
    "Thanks, that helps.",
)

AGENT_LINES: tuple[str, ...] = (
    "Let me check that for you.",
    "I can see your order here.",
    "Could you confirm the email on the account?",
    "I have escalated this to our billing team.",
    "Is there anything else I can help with?",
)
