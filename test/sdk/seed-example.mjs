import Camara from '@otpflow/sdk';
const client = new Camara({
bearerToken: process.env['CAMARA_BEARER_TOKEN'], // This is the default and can be omitted
});
const response = await client.otpvalidation.sendCode({
message: '{{code}} is your short code to authenticate with Cool App via SMS',
phoneNumber: '+346661113334',
});
console.log(response.authenticationId);
