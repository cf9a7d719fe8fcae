"""A small pet store: the example app the README's first command invokes."""
from myframework import App, BadRequestError, NotFoundError, Response

app = App("petstore")
app.api.cors = True

PETS: dict[str, dict[str, object]] = {
    "1": {"id": "1", "name": "Rex", "kind": "dog"},
    "2": {"id": "2", "name": "Tom", "kind": "cat"},
}


@app.route("/")
def index() -> dict[str, str]:
    return {"service": "petstore", "docs": "GET /pets, GET /pets/{pet_id}, POST /pets"}


@app.route("/pets")
def list_pets() -> list[dict[str, object]]:
    kind = app.current_request.query_params.get("kind")
    return [pet for pet in PETS.values() if kind is None or pet["kind"] == kind]


@app.route("/pets/{pet_id}")
def get_pet(pet_id: str) -> dict[str, object]:
    pet = PETS.get(pet_id)
    if pet is None:
        raise NotFoundError("no pet with id %s" % pet_id)
    return pet


@app.route("/pets", methods=["POST"])
def create_pet() -> Response:
    data = app.current_request.json_body
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise BadRequestError('send a JSON object like {"name": "Rex", "kind": "dog"}')
    pet_id = str(len(PETS) + 1)
    pet = {"id": pet_id, "name": data["name"], "kind": str(data.get("kind", "unknown"))}
    PETS[pet_id] = pet
    return Response(pet, headers={"Location": "/pets/%s" % pet_id}, status_code=201)
