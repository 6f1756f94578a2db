/**
 * The demo shop's catalogue: the 40 most frequent items of the shared grocery baskets (see
 * `examples/server/seed/README.md`), with made-up prices (pictures are drawn in `art.ts`). Product ids are the basket
 * item names slugged the same way the server slugs them when it trains the recommender, so a
 * recommendation from the model always names a product the shop can show.
 */

export interface Product {
  id: string;
  /** The item's name in the basket data, e.g. `rolls/buns`. */
  basketName: string;
  name: string;
  category: string;
  price: number;
  blurb: string;
}

export const CURRENCY = 'EUR';

/** `rolls/buns` → `rolls-buns`. The server slugs its seed baskets with this same function. */
export function productIdOf(basketName: string): string {
  return basketName
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

type Row = [basketName: string, name: string, category: string, price: number, blurb: string];

const rows: Row[] = [
  ['whole milk', 'Whole milk, 1 l', 'Dairy', 1.19, 'Fresh pasteurised whole milk from a farm an hour away.'],
  ['other vegetables', 'Seasonal vegetables', 'Produce', 2.49, 'A mixed bag of what is in season this week.'],
  ['rolls/buns', 'Bread rolls, 6 pack', 'Bakery', 1.89, 'Baked this morning; crisp crust, soft inside.'],
  ['soda', 'Lemon soda, 1.5 l', 'Drinks', 1.49, 'Sparkling, not too sweet.'],
  ['yogurt', 'Natural yogurt, 500 g', 'Dairy', 1.29, 'Thick, tangy, live cultures.'],
  ['bottled water', 'Still water, 6 × 1.5 l', 'Drinks', 2.99, 'Mineral water from an alpine spring.'],
  ['root vegetables', 'Root vegetables', 'Produce', 2.19, 'Carrots, parsnips and beetroot for roasting.'],
  ['tropical fruit', 'Tropical fruit box', 'Produce', 4.99, 'Mango, pineapple and passion fruit.'],
  ['sausage', 'Smoked sausage', 'Meat', 3.49, 'Beech-smoked pork sausage.'],
  ['pastry', 'Butter croissants, 4 pack', 'Bakery', 2.79, 'Flaky, all-butter, baked in store.'],
  ['citrus fruit', 'Oranges, 1 kg', 'Produce', 2.29, 'Juicy navel oranges.'],
  ['bottled beer', 'Pale ale, 4 bottles', 'Drinks', 5.49, 'A local brewery’s hoppy pale ale.'],
  ['newspapers', 'Daily newspaper', 'Household', 2.2, 'Today’s edition.'],
  ['canned beer', 'Lager, 6 cans', 'Drinks', 4.99, 'Crisp lager for the weekend.'],
  ['pip fruit', 'Apples, 1 kg', 'Produce', 2.49, 'Crunchy apples from the orchard.'],
  ['fruit/vegetable juice', 'Orange juice, 1 l', 'Drinks', 2.39, 'Not from concentrate.'],
  ['whipped/sour cream', 'Sour cream, 200 g', 'Dairy', 0.99, 'For baked potatoes and dips.'],
  ['brown bread', 'Rye sourdough', 'Bakery', 3.29, 'Dark, dense and slow-fermented.'],
  ['domestic eggs', 'Free-range eggs, 10', 'Dairy', 3.19, 'From hens that roam outdoors.'],
  ['frankfurter', 'Frankfurters, 6', 'Meat', 2.99, 'Classic smoked frankfurters.'],
  ['margarine', 'Plant margarine, 500 g', 'Dairy', 1.79, 'Spreadable straight from the fridge.'],
  ['coffee', 'Ground coffee, 500 g', 'Pantry', 6.99, 'Medium roast, chocolatey and smooth.'],
  ['pork', 'Pork chops, 500 g', 'Meat', 5.49, 'Bone-in chops from outdoor-reared pigs.'],
  ['butter', 'Butter, 250 g', 'Dairy', 2.49, 'Lightly salted cultured butter.'],
  ['curd', 'Quark, 500 g', 'Dairy', 1.59, 'Creamy low-fat quark.'],
  ['beef', 'Beef mince, 500 g', 'Meat', 5.99, 'Grass-fed, 15% fat.'],
  ['napkins', 'Paper napkins, 50', 'Household', 1.49, 'Soft three-ply napkins.'],
  ['chocolate', 'Milk chocolate bar', 'Sweets', 1.99, 'Creamy milk chocolate, 100 g.'],
  ['frozen vegetables', 'Frozen peas, 1 kg', 'Frozen', 2.29, 'Frozen within hours of picking.'],
  ['chicken', 'Chicken breast, 500 g', 'Meat', 6.49, 'Free-range chicken breast fillets.'],
  ['white bread', 'White sandwich loaf', 'Bakery', 1.99, 'Soft sliced white bread.'],
  ['cream cheese', 'Cream cheese, 200 g', 'Dairy', 1.69, 'Smooth and spreadable.'],
  ['waffles', 'Butter waffles, 8', 'Bakery', 2.59, 'Golden waffles, ready to toast.'],
  ['salty snack', 'Sea salt crisps', 'Snacks', 1.89, 'Kettle-cooked, lightly salted.'],
  ['long life bakery product', 'Shortbread biscuits', 'Snacks', 2.49, 'Buttery shortbread in a tin.'],
  ['dessert', 'Chocolate pudding, 4 pots', 'Dairy', 2.29, 'Silky chocolate pudding.'],
  ['sugar', 'Cane sugar, 1 kg', 'Pantry', 1.69, 'Fine golden cane sugar.'],
  ['UHT-milk', 'Long-life milk, 1 l', 'Dairy', 1.09, 'Keeps for months unopened.'],
  ['berries', 'Strawberries, 400 g', 'Produce', 3.49, 'Sweet, ripe and hand-picked.'],
  ['hamburger meat', 'Burger patties, 4', 'Meat', 4.99, 'Thick beef patties for the grill.'],
];

export const products: readonly Product[] = rows.map(([basketName, name, category, price, blurb]) => ({
  id: productIdOf(basketName),
  basketName,
  name,
  category,
  price,
  blurb,
}));

const byId = new Map(products.map((p) => [p.id, p]));

/** The product with this id, or `undefined` for unknown ids (old links, removed items). */
export function findProduct(id: string): Product | undefined {
  return byId.get(id);
}

/** `1.5` → `€1.50`. */
export function formatPrice(value: number): string {
  return new Intl.NumberFormat('en-IE', { style: 'currency', currency: CURRENCY }).format(value);
}
