#include "uniqueprompts.h"

#include <QStringView>
#include <QtGlobal>
#include <array>
#include <cstddef>
#include <limits>
#include <numeric>
#include <vector>

namespace breakwater {
namespace {

// ---------------------------------------------------------------------------------------
// Building blocks. Every prompt is one kind of request put together from these lists; each
// list item a prompt uses shows in its text, which is what keeps fresh prompts distinct.

// Framing: what users often, but not always, put around a request. Whether a prompt has an
// opener, a context sentence and a closer is part of what tells prompts apart; which one it
// gets is drawn, so that each appears about as often as it would.

constexpr std::array kOpeners = {
    u"Quick question: ",
    u"Hi! ",
    u"Hello. ",
    u"Hey! ",
    u"Can you help me with something? ",
    u"Need some help, please. ",
    u"Work question: ",
    u"Settling a debate with a friend: ",
    u"Hi there. ",
    u"Question for you: ",
    u"Sorry if this is basic: ",
    u"Good morning! ",
    u"Okay, next one: ",
    u"Help! ",
    u"One more thing: ",
    u"I hope you can help. ",
};

constexpr std::array kContexts = {
    u" I'm preparing a presentation.",
    u" This is for a school project.",
    u" My team asked me about this today.",
    u" I've been wondering about this for a while.",
    u" I'm writing a blog post.",
    u" I'm new to this.",
    u" I'm studying for an exam.",
    u" It's for a newsletter at work.",
    u" My manager wants an answer by tomorrow.",
    u" I'm a nurse, if that matters.",
    u" I teach secondary school.",
    u" I run a small bakery.",
    u" English is not my first language.",
    u" I'm a software developer.",
    u" My kids asked me and I didn't know.",
    u" I'm retired and curious.",
    u" I'm helping a friend.",
    u" I only have a few minutes.",
};

constexpr std::array kClosers = {
    u" Thanks!",
    u" Please keep it short.",
    u" Use simple language.",
    u" Be as specific as you can.",
    u" An example would help.",
    u" Plain English, please.",
    u" Bullet points are fine.",
    u" No jargon, please.",
    u" Mention sources if you know any.",
    u" Take your time.",
    u" Keep it under 150 words.",
    u" Be honest about what is uncertain.",
    u" Thank you so much.",
    u" Thanks in advance.",
    u" A short answer is fine.",
    u" Please double-check your answer.",
    u" Cheers.",
    u" Much appreciated!",
};

constexpr std::array kQuestionTemplates = {
    u"What is %1, in simple terms?",
    u"Can you explain %1?",
    u"Why does %1 matter?",
    u"What are the most common misconceptions about %1?",
    u"What should a beginner know about %1?",
    u"How would you explain %1 to a ten-year-old?",
    u"What are the practical implications of %1?",
    u"Give me a short overview of %1.",
    u"What is the single most important thing to understand about %1?",
    u"How has thinking about %1 changed in the last twenty years?",
    u"What are three good questions to ask an expert on %1?",
    u"Is %1 overrated? Give me both sides.",
    u"Which books or courses would you recommend for learning about %1?",
    u"What are some everyday examples of %1?",
    u"Where do experts disagree about %1?",
    u"What would a one-page cheat sheet on %1 contain?",
    u"I keep hearing about %1. What's the big deal?",
    u"What are the biggest myths about %1?",
    u"How can I learn the basics of %1 in a weekend?",
    u"What's a good analogy for %1?",
    u"Tell me something surprising about %1.",
    u"What are the key terms I need to know to talk about %1?",
    u"How do I get started with %1?",
    u"What's the history behind %1?",
    u"Can you give me a five-point summary of %1?",
    u"What problems does %1 solve, and what problems does it create?",
    u"How would a critic describe %1?",
    u"What does the research say about %1?",
    u"Explain %1 like I'm a complete beginner.",
    u"What's the difference between a good and a bad understanding of %1?",
    u"Write a short quiz with three questions about %1.",
    u"What are the open questions about %1?",
    u"What is the best free resource for learning about %1?",
    u"How is %1 taught in schools, if at all?",
    u"What mistakes do people make when they first learn about %1?",
    u"Could you describe %1 in one paragraph?",
    u"What would change if everyone understood %1?",
    u"Summarise the current debate around %1.",
    u"What is a common exam question about %1, and how should I answer it?",
    u"Why do people find %1 confusing?",
};

constexpr std::array kSubjects = {
    // money and work
    u"compound interest",
    u"index funds",
    u"inflation",
    u"credit scores",
    u"mortgages",
    u"personal budgeting",
    u"the gig economy",
    u"pension planning",
    u"cryptocurrency",
    u"remote work",
    u"job interviews",
    u"salary negotiation",
    u"public speaking",
    u"time management",
    u"team retrospectives",
    u"agile planning",
    u"giving feedback",
    u"startup fundraising",
    u"global supply chains",
    u"customer retention",
    u"product pricing",
    u"brand strategy",
    u"negotiation tactics",
    u"burnout at work",
    // science and nature
    u"photosynthesis",
    u"black holes",
    u"plate tectonics",
    u"climate change",
    u"vaccines",
    u"the immune system",
    u"sleep cycles",
    u"gut bacteria",
    u"CRISPR gene editing",
    u"quantum computing",
    u"the theory of evolution",
    u"the water cycle",
    u"antibiotic resistance",
    u"renewable energy",
    u"nuclear fusion",
    u"ocean tides",
    u"volcanoes",
    u"bird migration",
    u"dark matter",
    u"the periodic table",
    // computing
    u"machine learning",
    u"public-key cryptography",
    u"the TCP handshake",
    u"database indexing",
    u"garbage collection",
    u"containers",
    u"REST APIs",
    u"version control",
    u"unit testing",
    u"recursion",
    u"cloud computing",
    u"password managers",
    u"two-factor authentication",
    u"open-source licensing",
    u"large language models",
    u"circuit breakers in distributed systems",
    u"exponential backoff",
    u"content delivery networks",
    u"DNS",
    u"spreadsheet formulas",
    // history and society
    u"the French Revolution",
    u"the Roman Empire",
    u"the printing press",
    u"the Cold War",
    u"the Industrial Revolution",
    u"the Silk Road",
    u"the Renaissance",
    u"the moon landing",
    u"the electoral college",
    u"copyright law",
    u"privacy regulation",
    u"urban planning",
    u"universal basic income",
    u"the placebo effect",
    u"cognitive biases",
    u"game theory",
    u"behavioural economics",
    u"stoicism",
    u"minimalism",
    u"democracy",
    // everyday life
    u"sourdough baking",
    u"fermentation",
    u"meal prepping",
    u"intermittent fasting",
    u"strength training",
    u"marathon training",
    u"yoga",
    u"meditation",
    u"good posture at a desk",
    u"houseplant care",
    u"composting",
    u"urban gardening",
    u"beekeeping",
    u"learning a second language",
    u"raising a toddler",
    u"adopting a rescue dog",
    u"travelling on a budget",
    u"electric cars",
    u"home insurance",
    u"renting versus buying",
    u"first aid basics",
    u"decluttering",
    u"home energy savings",
    u"wine tasting",
    // arts and culture
    u"jazz improvisation",
    u"music theory",
    u"film noir",
    u"impressionist painting",
    u"street photography",
    u"Shakespeare's sonnets",
    u"writing poetry",
    u"chess openings",
    u"stand-up comedy",
    u"world cinema",
    u"graphic novels",
    u"classical ballet",
    u"architecture in the Bauhaus style",
    u"podcasting",
    u"calligraphy",
    u"knitting",
    // more
    u"interest rates",
    u"the housing market",
    u"small-business taxes",
    u"index investing",
    u"negative feedback loops",
    u"the scientific method",
    u"statistics",
    u"probability",
    u"the human microbiome",
    u"the carbon cycle",
    u"coral reefs",
    u"honeybee decline",
    u"earthquakes",
    u"solar panels",
    u"wind power",
    u"electric grids",
    u"lithium batteries",
    u"3D printing",
    u"self-driving cars",
    u"open data",
    u"web accessibility",
    u"spam filtering",
    u"recommendation algorithms",
    u"data privacy",
    u"phishing",
    u"the Byzantine Empire",
    u"ancient Egypt",
    u"the Ottoman Empire",
    u"the Meiji Restoration",
    u"the abolition of slavery",
    u"women's suffrage",
    u"the Marshall Plan",
    u"the Magna Carta",
    u"jet lag",
    u"caffeine",
    u"hydration",
    u"screen time for children",
    u"mindfulness",
    u"grief",
    u"procrastination",
    u"habit formation",
};

constexpr std::array kCompareTemplates = {
    u"What is the difference between %1 and %2?",
    u"Should I choose %1 or %2? I can't decide.",
    u"Compare %1 and %2 in a short table.",
    u"Is %1 really better than %2, or is that a myth?",
    u"Explain %1 versus %2 to someone who has never tried either.",
    u"When does %1 make more sense than %2?",
    u"List three similarities and three differences between %1 and %2.",
    u"Which is easier for a beginner: %1 or %2?",
    u"What do people usually get wrong when comparing %1 and %2?",
    u"Between %1 and %2, which would you pick, and why?",
    u"Give me a quick rule of thumb for choosing between %1 and %2.",
    u"What does %1 cost compared with %2, all things considered?",
    u"My friend swears by %1, but I like %2. Who's right?",
    u"What are the hidden downsides of %1 compared with %2?",
    u"I've always used %1. Should I switch to %2?",
    u"How do %1 and %2 differ in practice, not just in theory?",
};

struct Pair {
    const char16_t *a;
    const char16_t *b;
};

constexpr std::array kPairs = {
    Pair{u"TCP", u"UDP"},
    Pair{u"renting a home", u"buying a home"},
    Pair{u"a Roth IRA", u"a traditional IRA"},
    Pair{u"baking soda", u"baking powder"},
    Pair{u"weather", u"climate"},
    Pair{u"viruses", u"bacteria"},
    Pair{u"SQL databases", u"NoSQL databases"},
    Pair{u"e-readers", u"paper books"},
    Pair{u"espresso", u"filter coffee"},
    Pair{u"running", u"cycling"},
    Pair{u"stocks", u"bonds"},
    Pair{u"credit cards", u"debit cards"},
    Pair{u"index funds", u"actively managed funds"},
    Pair{u"git merge", u"git rebase"},
    Pair{u"learning Spanish", u"learning Portuguese"},
    Pair{u"freelancing", u"a full-time job"},
    Pair{u"LED screens", u"OLED screens"},
    Pair{u"Kafka", u"RabbitMQ"},
    Pair{u"Docker containers", u"virtual machines"},
    Pair{u"free weights", u"gym machines"},
    Pair{u"public schools", u"private schools"},
    Pair{u"electric cars", u"hybrid cars"},
    Pair{u"React", u"Vue"},
    Pair{u"a gas stove", u"an induction hob"},
    Pair{u"whole life insurance", u"term life insurance"},
    Pair{u"therapy", u"coaching"},
    Pair{u"a heat pump", u"a gas boiler"},
    Pair{u"Kanban", u"Scrum"},
    Pair{u"cats", u"dogs"},
    Pair{u"trains", u"planes for travel within Europe"},
    Pair{u"a master's degree", u"work experience"},
    Pair{u"microservices", u"a monolith"},
    Pair{u"butter", u"olive oil for cooking"},
    Pair{u"yoga", u"pilates"},
    Pair{u"an MBA", u"a coding bootcamp"},
    Pair{u"leasing a car", u"buying a car"},
    Pair{u"saving money", u"paying off debt"},
    Pair{u"REST", u"GraphQL"},
    Pair{u"tea", u"coffee"},
    Pair{u"city life", u"country life"},
};

/// A kind of document a user pastes: what to call it, and sentences to quote from it.
/// `{name}`, `{other}`, `{team}`, `{n}` and `{day}` are filled in per prompt.
struct Document {
    const char16_t *called;
    std::array<const char16_t *, 10> sentences;
};

constexpr std::array kDocuments = {
    Document{u"the meeting notes below",
             {u"{name} opened the meeting by reviewing last quarter's numbers for {team}.",
              u"Revenue was up {n} percent, mostly from existing customers renewing early.",
              u"{other} raised concerns that the onboarding flow still confuses new users.",
              u"The group agreed to run a small usability study before changing anything.",
              u"Hiring for the two open roles is behind schedule; {name} will follow up with "
              u"recruiting by {day}.",
              u"There was a long discussion about whether to move the launch date.",
              u"In the end the launch stays on track, but the marketing push moves back a week.",
              u"{other} will draft a one-page plan for the pricing experiment.",
              u"Several people asked for fewer status meetings and more written updates.",
              u"The next check-in is on {day} at ten."}},
    Document{u"the customer email below",
             {u"Hello, I'm writing about my order from last {day}, which still hasn't arrived.",
              u"The tracking page has said 'in transit' for {n} days now.",
              u"I contacted {team} twice and was told to wait, but nobody followed up.",
              u"This was supposed to be a birthday present, so the delay is really frustrating.",
              u"I've been a customer for years and this is the first time this has happened.",
              u"Could you please either send a replacement or refund the full amount?",
              u"I'd also like to know why the tracking information is so unreliable.",
              u"My order number is BW-{n}417, in case you need it.",
              u"I'm happy to provide photos or any other details you need.", u"Thanks, {name}"}},
    Document{u"the product review below",
             {u"I bought this blender {n} weeks ago after reading a lot of reviews.",
              u"Setup was simple and the instructions were clear.",
              u"It's powerful enough for frozen fruit, but much louder than I expected.",
              u"The lid doesn't sit quite straight, and it leaked once when I filled it to the "
              u"top.",
              u"Cleaning is easy as long as you rinse it right away.",
              u"Customer service replied within a day when I asked about a replacement lid.",
              u"For the price, I think it's good value, though not perfect.",
              u"My partner {name} uses it every morning for smoothies and loves it.",
              u"I'd give it four stars out of five.",
              u"If noise matters to you, look at other options first."}},
    Document{u"the news article below",
             {u"The city council voted on {day} to expand the bike lane network by {n} "
              u"kilometres.",
              u"Supporters say the plan will make commuting safer and cut traffic in the centre.",
              u"Local shop owners worry that losing parking spaces will hurt their business.",
              u"Councillor {name} called the vote \"a turning point for how we move around\".",
              u"Construction is expected to start in the spring and take about two years.",
              u"The project will be paid for partly by a regional transport grant.",
              u"A similar scheme in a neighbouring town increased cycling by a third.",
              u"Critics argue the money would be better spent on buses.",
              u"A public consultation on the exact routes opens next month.",
              u"{other}, who cycles to work every day, said she was \"cautiously optimistic\"."}},
    Document{u"the incident report below",
             {u"At 14:{n} the checkout service started returning errors for about a third of "
              u"requests.",
              u"The on-call engineer, {name}, was paged within two minutes.",
              u"The errors were traced to a configuration change deployed by {team} earlier "
              u"that day.",
              u"Rolling back the change restored normal service after {n} minutes.",
              u"No payment data was lost, but some customers saw their orders fail and retried.",
              u"Monitoring caught the problem quickly, yet the alert did not say which change "
              u"caused it.",
              u"The change had passed review but was never tested under real traffic.",
              u"We will add a canary stage so that configuration changes reach a small share of "
              u"traffic first.",
              u"{other} will own the follow-up actions and report back on {day}.",
              u"We apologise to the customers affected."}},
    Document{u"the research abstract below",
             {u"This study examines how sleep duration affects memory in adults over fifty.",
              u"We followed {n}0 participants for twelve months.",
              u"Participants wore activity trackers and completed a memory test every month.",
              u"Those who slept less than six hours did noticeably worse on recall tasks.",
              u"The effect remained after controlling for age, exercise and caffeine intake.",
              u"Short naps during the day did not appear to make up for lost sleep at night.",
              u"The sample came from a single region, which limits how far the results "
              u"generalise.",
              u"The lead author, {name}, suggests that sleep should be part of routine health "
              u"checks.",
              u"Further work will test whether improving sleep leads to better memory.",
              u"The data and analysis code are available on request."}},
    Document{u"the team update below",
             {u"Hi all, here is this week's update from {team}.",
              u"We finished the migration to the new database on {day}, {n} hours ahead of "
              u"plan.",
              u"Page load times dropped noticeably once the old caches were removed.",
              u"{name} is still chasing a memory leak that shows up only under heavy load.",
              u"The design review for the settings page is done; {other} will share the notes.",
              u"We're blocked on access to the analytics account and have asked IT twice.",
              u"Next week the focus is on fixing the bugs reported from the beta.",
              u"We could use one more reviewer for the billing changes if anyone has time.",
              u"Reminder: the office is closed on {day} for maintenance.",
              u"Thanks everyone for the extra effort this sprint."}},
};

constexpr std::array kNames = {u"Amara", u"Ben",  u"Chloé", u"Diego", u"Elena",   u"Farid",
                               u"Grace", u"Hiro", u"Ines",  u"Jonas", u"Kemi",    u"Lars",
                               u"Maya",  u"Noah", u"Olga",  u"Priya", u"Quentin", u"Rosa",
                               u"Sami",  u"Tara", u"Umar",  u"Vera",  u"Wen",     u"Yusuf"};
constexpr std::array kTeams = {
    u"the payments team", u"the platform team", u"the mobile team",   u"the data team",
    u"the design team",   u"the support team",  u"the growth team",   u"the infrastructure team",
    u"the billing team",  u"the search team",   u"the security team", u"the web team"};
constexpr std::array kDays = {u"Monday", u"Tuesday", u"Wednesday", u"Thursday", u"Friday"};

constexpr std::array kSummaryTemplates = {
    u"Summarise %1 in three bullet points.",
    u"Can you give me a one-sentence summary of %1?",
    u"What are the key points of %1?",
    u"TL;DR of %1, please.",
    u"Summarise %1 for someone with two minutes to spare.",
    u"List any action items or decisions in %1.",
    u"What is the tone of %1, and what is its main point?",
    u"Write a short headline for %1, then a two-line summary.",
    u"Pull out the three most important facts from %1.",
    u"Summarise %1 in plain language, without jargon.",
};

constexpr std::array kRewriteTemplates = {
    u"Rewrite the text below to sound %1.",
    u"Can you make this %1?",
    u"Please edit the following so it's %1. Keep the meaning.",
    u"Rephrase the paragraph below to be %1.",
    u"Improve the text below. I want it %1, and fix any grammar mistakes.",
    u"Make the text below %1 without making it longer.",
};

constexpr std::array kTones = {
    u"more formal",
    u"friendlier",
    u"more concise",
    u"more persuasive",
    u"less defensive",
    u"more confident",
    u"clearer for a non-expert",
    u"more polite",
    u"warmer but still professional",
    u"shorter and punchier",
    u"more neutral",
    u"suitable for a ten-year-old",
    u"more upbeat",
    u"more diplomatic",
};

constexpr std::array kTranslateTemplates = {
    u"Translate into %1: \"%2\"",
    u"How do I say \"%2\" in %1?",
    u"What's the most natural way to say \"%2\" in %1?",
    u"Can you translate this into %1 for me? %2",
    u"Please translate to %1, keeping it informal: \"%2\"",
    u"%1 translation, please: \"%2\"",
};

constexpr std::array kLanguages = {
    u"French",           u"Spanish", u"German", u"Italian", u"Portuguese", u"Japanese", u"Korean",
    u"Mandarin Chinese", u"Dutch",   u"Polish", u"Turkish", u"Swedish",    u"Greek",    u"Hindi"};

constexpr std::array kEverydaySentences = {
    u"Where is the nearest train station?",
    u"Could we move our meeting to Thursday afternoon?",
    u"I'm allergic to peanuts.",
    u"Thank you for a wonderful evening.",
    u"The package should arrive within three working days.",
    u"Sorry, I don't speak the language very well yet.",
    u"How much does a return ticket cost?",
    u"Please send me the invoice by email.",
    u"Happy birthday! I hope all your wishes come true.",
    u"The meeting has been cancelled because of the storm.",
    u"Can I pay by card?",
    u"We are looking forward to working with you.",
    u"Is this seat taken?",
    u"My flight was delayed by two hours.",
    u"Could you recommend a good local restaurant?",
    u"The museum is closed on Mondays.",
    u"I would like to book a table for four at eight o'clock.",
    u"Please keep the door closed at all times.",
    u"Your order has been shipped.",
    u"I lost my phone somewhere near the park.",
    u"What time does the pharmacy open tomorrow?",
    u"Congratulations on your new job!",
    u"The Wi-Fi password is on the back of the menu.",
    u"We need to talk about the budget for next year.",
    u"Don't forget to bring your passport.",
    u"The doctor will see you in ten minutes.",
    u"I'm sorry for the late reply.",
    u"This product is not available in your country.",
    u"Could you speak a little more slowly, please?",
    u"It's going to rain all weekend.",
    u"Our office will be closed over the holidays.",
    u"Please read the instructions before using the device.",
    u"I've been learning to cook this winter.",
    u"Let me know if you have any questions.",
    u"The children are playing in the garden.",
    u"Can you help me carry these boxes?",
    u"We ran out of milk again.",
    u"The concert starts at half past seven.",
    u"I think there's a mistake on my bill.",
    u"Welcome to our new colleagues in the Berlin office.",
};

constexpr std::array kCodeTemplates = {
    u"Write a %1 function to %2.",
    u"How do I %2 in %1?",
    u"Show me idiomatic %1 code to %2.",
    u"What's the cleanest way to %2 in %1?",
    u"I'm new to %1. How would I %2?",
    u"Give me a %1 snippet to %2, with comments.",
    u"My %1 code to %2 is slow. What are the usual mistakes?",
    u"Explain how you would %2 in %1, then show the code.",
};

constexpr std::array kProgrammingLanguages = {u"Python", u"JavaScript", u"TypeScript", u"Java",
                                              u"C#",     u"Go",         u"Rust",       u"C++",
                                              u"Kotlin", u"Swift",      u"Ruby",       u"PHP"};

constexpr std::array kCodeTasks = {
    u"read a CSV file and print the average of one column",
    u"check whether a string is a palindrome",
    u"merge two sorted lists",
    u"retry an HTTP request with exponential backoff",
    u"parse an ISO 8601 date",
    u"find duplicate files in a folder",
    u"count word frequencies in a text file",
    u"validate an email address",
    u"flatten a nested list",
    u"convert Celsius to Fahrenheit",
    u"remove duplicates from an array while keeping the order",
    u"debounce a function",
    u"read a JSON config file with defaults",
    u"compute a moving average",
    u"download a web page and extract its title",
    u"generate a random password",
    u"implement a simple LRU cache",
    u"page through results from a REST API",
    u"resize all images in a folder",
    u"detect a cycle in a linked list",
    u"format a number with thousands separators",
    u"rate-limit calls to a function",
    u"split a large file into chunks",
    u"compare two version strings",
    u"send an email with an attachment",
    u"run a task every hour",
    u"parse command-line arguments",
    u"hash a password securely",
    u"print a list of records as a table",
    u"find the longest common prefix of a list of strings",
    u"reverse the words in a sentence",
    u"check whether two strings are anagrams",
    u"count the days between two dates",
    u"implement binary search",
    u"unit-test a function that adds two numbers",
    u"stream a large file line by line",
    u"handle a timeout when calling an external service",
    u"connect to a PostgreSQL database and run a query",
    u"serialise an object to JSON",
    u"watch a folder for new files",
};

constexpr std::array kCodeExtras = {
    u"",
    u" Please include a short test.",
    u" No external libraries.",
    u" It should handle empty input.",
    u" Add type annotations where the language has them.",
    u" Keep it under 30 lines.",
    u" Explain the time complexity.",
    u" Make it easy to read for a junior developer.",
    u" Show how to handle errors.",
    u" Performance matters more than brevity.",
};

constexpr std::array kWritingTemplates = {
    u"Write a %1 %2 %3.",
    u"Could you draft a %1 %2 %3?",
    u"Help me write a %1 %2 %3.",
    u"I need a %1 %2 %3. Can you write one?",
};

/// All start with a consonant: "a %1" stays right.
constexpr std::array kWritingTones = {u"short",     u"warm",         u"formal", u"funny",
                                      u"heartfelt", u"professional", u"casual", u"polite but firm",
                                      u"cheerful",  u"concise"};

constexpr std::array kWritingForms = {u"email",
                                      u"LinkedIn post",
                                      u"thank-you note",
                                      u"text message",
                                      u"speech",
                                      u"cover letter",
                                      u"product description",
                                      u"blog post intro",
                                      u"tweet",
                                      u"birthday card message",
                                      u"Slack message",
                                      u"letter",
                                      u"poem",
                                      u"toast"};

constexpr std::array kOccasions = {
    u"to my landlord about a broken heater",
    u"congratulating a colleague on her promotion",
    u"announcing that our team is hiring",
    u"asking my manager for a day off next week",
    u"thanking a teacher at the end of the school year",
    u"declining a job offer",
    u"inviting the neighbours to a street party",
    u"for my sister's wedding",
    u"about our new vegan menu",
    u"apologising to a customer for a late delivery",
    u"welcoming a new team member",
    u"reminding the team about Friday's deadline",
    u"for a retirement party",
    u"asking a client to pay an overdue invoice",
    u"announcing a product launch",
    u"to a friend who just moved abroad",
    u"following up after a job interview",
    u"for a charity bake sale",
    u"about a handmade ceramic mug we sell",
    u"to cancel a gym membership",
    u"asking for feedback on a presentation",
    u"congratulating a friend on finishing a marathon",
    u"to a neighbour about a noisy party",
    u"introducing myself to a new client",
    u"for our company's tenth anniversary",
    u"thanking volunteers after a clean-up day",
    u"to my child's school about an absence",
    u"asking a professor for a reference letter",
    u"announcing that the office is moving",
    u"saying goodbye to a coworker who is leaving",
};

constexpr std::array kTripTemplates = {
    u"Plan a %1-day trip to %2 for %3 on a %4 budget.",
    u"What would a good %1-day itinerary in %2 look like for %3 on a %4 budget?",
    u"Help me plan %1 days in %2 for %3. Our budget is %4.",
    u"I'm going to %2 for %1 days (%3, %4 budget). What should we not miss?",
    u"Suggest how %3 could spend %1 days in %2 on a %4 budget.",
};

constexpr std::array kCities = {
    u"Lisbon",    u"Kyoto",     u"Mexico City",  u"Edinburgh",  u"Cape Town", u"Vancouver",
    u"Marrakesh", u"Hanoi",     u"Buenos Aires", u"Copenhagen", u"Istanbul",  u"Seoul",
    u"Rome",      u"Reykjavik", u"New Orleans",  u"Sydney",     u"Prague",    u"Singapore",
    u"Oaxaca",    u"Budapest",  u"Tbilisi",      u"Montreal",   u"Bangkok",   u"Dublin",
    u"Vienna",    u"Lima",      u"Nairobi",      u"Porto",      u"Melbourne", u"Barcelona"};

constexpr std::array kTravellers = {
    u"a couple",         u"a family with two young kids", u"two friends in their twenties",
    u"a solo traveller", u"a group of retirees",          u"a family with teenagers",
    u"a student",        u"someone who uses a wheelchair"};

constexpr std::array kBudgets = {u"tight", u"moderate", u"generous", u"very small"};

constexpr std::array kIdeaTemplates = {
    u"Give me %1 %2.",        u"Can you list %1 %2?",
    u"I need %1 %2, please.", u"Brainstorm %1 %2, from safest to most unusual.",
    u"Quick: %1 %2?",         u"What are %1 good %2?",
};

constexpr std::array kIdeas = {
    u"name ideas for a neighbourhood coffee shop",
    u"gift ideas for a dad who likes fishing",
    u"rainy-day activities for kids",
    u"blog post ideas about personal finance",
    u"team-building activities for a remote team",
    u"dinner ideas using chickpeas",
    u"names for a golden retriever puppy",
    u"themes for a ten-year-old's birthday party",
    u"ways to save money on groceries",
    u"icebreaker questions for a workshop",
    u"side projects for learning web development",
    u"questions to ask at the end of a job interview",
    u"tips for staying focused while working from home",
    u"ideas for a small balcony garden",
    u"ways to make a long flight more comfortable",
    u"podcast episode ideas about local history",
    u"slogans for a bike repair shop",
    u"ways to use less plastic at home",
    u"date night ideas that cost under 30 dollars",
    u"science fair projects for middle school",
    u"ways to welcome a new hire",
    u"healthy snacks for a road trip",
    u"titles for a talk about burnout",
    u"fundraising ideas for a school library",
    u"conversation starters for a networking event",
    u"ways to practise a new language every day",
    u"features for a habit-tracking app",
    u"weekend projects with old wooden pallets",
    u"names for a fantasy novel's capital city",
    u"ways to make meetings shorter",
    u"hobbies to try after retirement",
    u"prompts for a journaling habit",
    u"ways to celebrate a team milestone without alcohol",
    u"Instagram captions for a bakery",
    u"questions to ask a potential landlord",
    u"themes for a book club's next season",
    u"easy recipes for someone who can't cook",
    u"ways to explain my job to my grandmother",
    u"board games for a group of six",
    u"warm-up exercises before a run",
};

// ---------------------------------------------------------------------------------------
// From a number to a prompt.

/// splitmix64's finaliser: a well-mixed 64-bit hash of `x`.
std::uint64_t mix(std::uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

/// A counter-based draw: the same (seed, n, salt) always gives the same value, so no state
/// is kept between requests.
std::uint64_t draw(std::uint64_t seed, std::uint64_t n, std::uint64_t salt)
{
    return mix(seed ^ mix(n ^ mix(salt)));
}

double unit(std::uint64_t bits)
{
    return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

enum Salt : std::uint64_t { RepeatSalt = 1, RepeatPickSalt, BlockSalt, ScrambleSalt, FillSalt };

/// Reads a combination number digit by digit, each digit an index into the list it picks
/// from (mixed radix). In counting mode it multiplies the radixes instead: running a kind's
/// render once that way gives how many combinations the kind has.
class Picker {
public:
    explicit Picker(std::uint64_t value) : m_value(value) {}
    static Picker counting()
    {
        Picker picker(0);
        picker.m_counting = true;
        return picker;
    }

    std::size_t index(std::size_t radix)
    {
        if (m_counting) {
            m_capacity *= radix;
            return 0;
        }
        const std::size_t digit = static_cast<std::size_t>(m_value % radix);
        m_value /= radix;
        return digit;
    }
    template <typename T, std::size_t N> const T &pick(const std::array<T, N> &list)
    {
        return list[index(N)];
    }
    template <std::size_t N> QString text(const std::array<const char16_t *, N> &list)
    {
        return QString::fromUtf16(list[index(N)]);
    }
    /// A whole number in [from, to].
    int number(int from, int to)
    {
        return from + static_cast<int>(index(static_cast<std::size_t>(to - from + 1)));
    }
    std::uint64_t capacity() const { return m_capacity; }

private:
    std::uint64_t m_value = 0;
    std::uint64_t m_capacity = 1;
    bool m_counting = false;
};

/// One prompt being put together: `fill` seeds the choices that do not tell prompts apart
/// (names and numbers inside a quoted document).
struct Build {
    Picker &picker;
    std::uint64_t fill;
};

/// A stretch of `document`, `length` sentences from `start` on, with its blanks filled.
QString passage(const Document &document, std::size_t start, std::size_t length, std::uint64_t fill)
{
    QString text;
    for (std::size_t i = 0; i < length; ++i) {
        if (i > 0)
            text += QLatin1Char(' ');
        text += QStringView(document.sentences[(start + i) % document.sentences.size()]);
    }
    const auto choose = [fill](std::size_t size, std::uint64_t salt) {
        return static_cast<std::size_t>(mix(fill ^ salt) % size);
    };
    const std::size_t name = choose(kNames.size(), 1);
    // Never the same person twice in one document.
    const std::size_t other = (name + 1 + choose(kNames.size() - 1, 2)) % kNames.size();
    text.replace(QStringLiteral("{name}"), QString::fromUtf16(kNames[name]));
    text.replace(QStringLiteral("{other}"), QString::fromUtf16(kNames[other]));
    text.replace(QStringLiteral("{team}"), QString::fromUtf16(kTeams[choose(kTeams.size(), 3)]));
    text.replace(QStringLiteral("{day}"), QString::fromUtf16(kDays[choose(kDays.size(), 4)]));
    text.replace(QStringLiteral("{n}"), QString::number(12 + choose(48, 5)));
    return text;
}

/// A request framed as users frame one: the pattern (which of opener, context sentence and
/// closer it has) is a digit, so it tells prompts apart; the words are drawn from `fill`.
QString framed(Build &build, const QString &body)
{
    const std::size_t pattern = build.picker.index(8);
    const auto drawn = [&build](const auto &list, std::uint64_t salt) {
        return QString::fromUtf16(
            list[static_cast<std::size_t>(mix(build.fill ^ salt) % list.size())]);
    };
    QString text = body;
    if (pattern & 1)
        text.prepend(drawn(kOpeners, 11));
    if (pattern & 2)
        text += drawn(kContexts, 12);
    if (pattern & 4)
        text += drawn(kClosers, 13);
    return text;
}

/// An instruction about a pasted document, framed, then the document: `minSentences` to
/// `maxSentences` of it. A "%1" in the instruction is the document's name.
QString aboutText(Build &build, QString instruction, std::size_t minSentences,
                  std::size_t maxSentences)
{
    const Document &document = build.picker.pick(kDocuments);
    const std::size_t start = build.picker.index(document.sentences.size());
    const std::size_t length = minSentences + build.picker.index(maxSentences - minSentences + 1);
    if (instruction.contains(QStringLiteral("%1")))
        instruction = instruction.arg(QStringView(document.called));
    return framed(build, instruction) + QStringLiteral("\n\n") +
           passage(document, start, length, build.fill);
}

QString question(Build &build)
{
    const QString body = (build.picker.text(kQuestionTemplates)).arg(build.picker.text(kSubjects));
    return framed(build, body);
}

QString comparison(Build &build)
{
    const Pair &pair = build.picker.pick(kPairs);
    const bool swapped = build.picker.index(2) == 1;
    const QString first = QString::fromUtf16(swapped ? pair.b : pair.a);
    const QString second = QString::fromUtf16(swapped ? pair.a : pair.b);
    return framed(build, (build.picker.text(kCompareTemplates)).arg(first, second));
}

QString summary(Build &build)
{
    return aboutText(build, (build.picker.text(kSummaryTemplates)), 3, 7);
}

QString rewrite(Build &build)
{
    return aboutText(build, (build.picker.text(kRewriteTemplates)).arg(build.picker.text(kTones)),
                     1, 4);
}

QString translation(Build &build)
{
    const QString language = build.picker.text(kLanguages);
    const QString sentence = build.picker.text(kEverydaySentences);
    return framed(build, (build.picker.text(kTranslateTemplates)).arg(language, sentence));
}

QString code(Build &build)
{
    const QString language = build.picker.text(kProgrammingLanguages);
    const QString task = build.picker.text(kCodeTasks);
    const QString extra = build.picker.text(kCodeExtras);
    return framed(build, (build.picker.text(kCodeTemplates)).arg(language, task) + extra);
}

QString writing(Build &build)
{
    const QString tone = build.picker.text(kWritingTones);
    const QString form = build.picker.text(kWritingForms);
    const QString occasion = build.picker.text(kOccasions);
    return framed(build, (build.picker.text(kWritingTemplates)).arg(tone, form, occasion));
}

QString trip(Build &build)
{
    const QString days = QString::number(build.picker.number(2, 10));
    const QString city = build.picker.text(kCities);
    const QString who = build.picker.text(kTravellers);
    const QString budget = build.picker.text(kBudgets);
    return framed(build, (build.picker.text(kTripTemplates)).arg(days, city, who, budget));
}

QString ideas(Build &build)
{
    const QString count = QString::number(build.picker.number(3, 15));
    const QString what = build.picker.text(kIdeas);
    return framed(build, (build.picker.text(kIdeaTemplates)).arg(count, what));
}

struct Kind {
    QString (*render)(Build &);
    /// Requests of this kind in every kBlock.
    int weight;
};

/// The mix of requests: out of every 20, 5 questions, 3 code requests, 2 each of summaries,
/// rewrites, translations, letters and lists of ideas, 1 comparison and 1 trip plan.
constexpr std::array kKinds = {Kind{question, 5}, Kind{comparison, 1},  Kind{summary, 2},
                               Kind{rewrite, 2},  Kind{translation, 2}, Kind{code, 3},
                               Kind{writing, 2},  Kind{trip, 1},        Kind{ideas, 2}};

constexpr int blockSize()
{
    int total = 0;
    for (const Kind &kind : kKinds)
        total += kind.weight;
    return total;
}
constexpr int kBlock = blockSize();

} // namespace

/// Per kind: how many combinations it has and the seeded affine permutation of them
/// (m = (i × multiplier + offset) mod capacity, a bijection since gcd(multiplier, capacity)
/// is 1), so that consecutive prompts of a kind do not differ in one word only.
struct UniquePrompts::Kinds {
    struct Scramble {
        std::uint64_t capacity = 1;
        std::uint64_t multiplier = 1;
        std::uint64_t offset = 0;
    };
    std::array<Scramble, kKinds.size()> scrambles;
    /// Block slot → kind, and the slot's rank among its kind's slots.
    std::array<int, kBlock> kindOfSlot{};
    std::array<int, kBlock> rankOfSlot{};
};

UniquePrompts::UniquePrompts(std::uint64_t seed, double repeatRate)
    : m_seed(seed), m_repeatRate(repeatRate)
{
    auto kinds = std::make_unique<Kinds>();
    int slot = 0;
    for (std::size_t k = 0; k < kKinds.size(); ++k) {
        for (int rank = 0; rank < kKinds[k].weight; ++rank, ++slot) {
            kinds->kindOfSlot[static_cast<std::size_t>(slot)] = static_cast<int>(k);
            kinds->rankOfSlot[static_cast<std::size_t>(slot)] = rank;
        }
        Picker counter = Picker::counting();
        Build build{counter, 0};
        kKinds[k].render(build);
        Kinds::Scramble &scramble = kinds->scrambles[k];
        // Below 2^32, so index × multiplier never overflows 64 bits.
        Q_ASSERT(counter.capacity() < (std::uint64_t(1) << 32));
        scramble.capacity = counter.capacity();
        const std::uint64_t bits = draw(seed, k, ScrambleSalt);
        scramble.offset = bits % scramble.capacity;
        std::uint64_t multiplier = (bits >> 32) % scramble.capacity;
        while (std::gcd(multiplier, scramble.capacity) != 1)
            multiplier = (multiplier + 1) % scramble.capacity;
        scramble.multiplier = multiplier;
    }
    m_kinds = std::move(kinds);
}

std::uint64_t UniquePrompts::distinctRequests() const
{
    std::uint64_t fewest = std::numeric_limits<std::uint64_t>::max();
    for (std::size_t k = 0; k < kKinds.size(); ++k) {
        const auto weight = static_cast<std::uint64_t>(kKinds[k].weight);
        // The block in which kind k would need its (capacity + 1)-th prompt.
        fewest = std::min(fewest, m_kinds->scrambles[k].capacity / weight * kBlock);
    }
    return fewest;
}

UniquePrompts::~UniquePrompts() = default;

std::uint64_t UniquePrompts::origin(std::uint64_t request) const
{
    // A repeat sends what a recent request sent, which may itself have been a repeat.
    while (request > 0 && unit(draw(m_seed, request, RepeatSalt)) < m_repeatRate) {
        const std::uint64_t back = std::min(request, kRepeatWindow);
        request -= 1 + draw(m_seed, request, RepeatPickSalt) % back;
    }
    return request;
}

QString UniquePrompts::at(std::uint64_t request) const
{
    return fresh(origin(request));
}

QString UniquePrompts::fresh(std::uint64_t request) const
{
    // Every block of kBlock requests holds each kind `weight` times, in a seeded order: request
    // numbers map one-to-one onto (kind, index within the kind).
    const std::uint64_t block = request / kBlock;
    std::array<int, kBlock> order{};
    std::iota(order.begin(), order.end(), 0);
    std::uint64_t bits = draw(m_seed, block, BlockSalt);
    for (std::size_t i = order.size() - 1; i > 0; --i) {
        std::swap(order[i], order[static_cast<std::size_t>(bits % (i + 1))]);
        bits = mix(bits);
    }
    const auto slot = static_cast<std::size_t>(order[request % kBlock]);
    const auto kind = static_cast<std::size_t>(m_kinds->kindOfSlot[slot]);
    const std::uint64_t index = block * static_cast<std::uint64_t>(kKinds[kind].weight) +
                                static_cast<std::uint64_t>(m_kinds->rankOfSlot[slot]);
    const Kinds::Scramble &scramble = m_kinds->scrambles[kind];
    // Past the kind's capacity its prompts come round again (after millions of requests).
    const std::uint64_t combination =
        ((index % scramble.capacity) * scramble.multiplier + scramble.offset) % scramble.capacity;
    Picker picker(combination);
    Build build{picker, draw(m_seed, combination, FillSalt + kind)};
    return kKinds[kind].render(build);
}

} // namespace breakwater
